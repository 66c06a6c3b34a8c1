// wxr2db: an Eleventy plugin for the WordPress posts wxr2db wrote. In your config:
//   import wxr2db from "./wxr2db-eleventy.mjs";
//   export default function (eleventyConfig) { eleventyConfig.addPlugin(wxr2db); }
// It registers the filters the wxr2db templates use, and the collections of the starter site:
// wxr2dbPosts (newest first), wxr2dbPages, wxr2dbTerms and wxr2dbAuthors (one entry per page to
// build) and wxr2dbAliases (the old WordPress addresses, each made a redirect page).
import { readFileSync } from "node:fs";
import markdownIt from "markdown-it";

// Comment text came from visitors: render its Markdown with raw HTML off.
const markdown = markdownIt({ html: false, linkify: false });
const SAFE_URL = /^(?:https?:\/\/|mailto:|\/(?!\/)|#)/i;

function siteData() {
  try {
    return JSON.parse(readFileSync("_data/wxr2db.json", "utf8"));
  } catch {
    return {};
  }
}

function asDate(value) {
  return value instanceof Date ? value : new Date(value);
}

// The time WordPress showed: the instant moved by the post's (or comment's) own UTC offset, then
// read as UTC. Without a known offset, the site's time zone.
function localParts(value, offset, zone) {
  const date = asDate(value);
  if (typeof offset === "number") {
    return { date: new Date(date.getTime() + offset * 60000), zone: "UTC" };
  }
  return { date, zone: zone || "UTC" };
}

// One formatter per kind and zone: toLocaleDateString builds one on every call, a tenth of a
// millisecond each, which Eleventy reports as a slow filter on a site of a few hundred posts.
const formatters = new Map();

function formatter(kind, zone) {
  const key = `${kind} ${zone}`;
  if (!formatters.has(key)) {
    const parts = kind === "day" ? { year: "numeric", month: "long", day: "numeric" } : { hour: "numeric", minute: "2-digit" };
    formatters.set(key, new Intl.DateTimeFormat("en-US", { ...parts, timeZone: zone }));
  }
  return formatters.get(key);
}

function formatDate(value, offset, zone, withTime) {
  const { date, zone: shownZone } = localParts(value, offset, zone);
  const day = formatter("day", shownZone).format(date);
  if (!withTime) return day;
  const time = formatter("time", shownZone).format(date);
  return `${day} at ${time.replace(" AM", " am").replace(" PM", " pm")}`;
}

function isoDate(value, offset) {
  const date = asDate(value);
  if (typeof offset !== "number") return date.toISOString();
  const shifted = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
  const sign = offset < 0 ? "-" : "+";
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const minutes = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${shifted}${sign}${hours}:${minutes}`;
}

function slugify(text) {
  return String(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "") || "term";
}

const isEntry = (item) => item.data.wordpress_id !== undefined && item.data.draft !== true && item.data.permalink !== false;

function termPages(posts, data) {
  const pages = new Map();
  for (const [key, taxonomy, base] of [["categories", "category", "/category/"], ["tags", "post_tag", "/tag/"]]) {
    for (const post of posts) {
      for (const name of post.data[key] || []) {
        const url = data.term_urls?.[taxonomy]?.[name] || `${base}${slugify(name)}/`;
        if (!pages.has(url)) {
          pages.set(url, { taxonomy, name: String(name), url, description: data.descriptions?.[url] || "", posts: [] });
        }
        pages.get(url).posts.push(post);
      }
    }
  }
  return [...pages.values()];
}

function authorPages(posts, data) {
  const pages = new Map();
  for (const post of posts) {
    const name = post.data.author;
    if (!name) continue;
    const url = data.author_urls?.[name] || `/author/${slugify(name)}/`;
    if (!pages.has(url)) pages.set(url, { name: String(name), url, posts: [] });
    pages.get(url).posts.push(post);
  }
  return [...pages.values()];
}

export default function wxr2db(eleventyConfig) {
  const data = siteData();
  eleventyConfig.addFilter("wxr2dbMarkdown", (text) => markdown.render(String(text ?? "")));
  eleventyConfig.addFilter("wxr2dbIsoDate", (value, offset) => isoDate(value, offset));
  eleventyConfig.addFilter("wxr2dbDate", (value, offset) => formatDate(value, offset, data.timezone, false));
  eleventyConfig.addFilter("wxr2dbDateTime", (value, offset) => formatDate(value, offset, data.timezone, true));
  eleventyConfig.addFilter("wxr2dbRssDate", (value) => asDate(value).toUTCString());
  eleventyConfig.addFilter("wxr2dbSafeUrl", (url) => (url && SAFE_URL.test(String(url).trim()) ? String(url).trim() : ""));
  eleventyConfig.addFilter("wxr2dbYear", (value, offset) => localParts(value, offset, data.timezone).date.getUTCFullYear());
  // Pages directly below a URL (the top-level pages for "/"), by title.
  eleventyConfig.addFilter("wxr2dbBelow", (pages, url) => pages
    .filter((item) => item.url !== url && item.url.startsWith(url) && item.url.slice(url.length).split("/").length === 2)
    .sort((a, b) => String(a.data.title).localeCompare(String(b.data.title))));
  eleventyConfig.addFilter("wxr2dbMenuChildren", (menu, id) => menu.filter((item) => item.parent === id));
  eleventyConfig.addFilter("wxr2dbFirst", (items, count) => items.slice(0, count));
  eleventyConfig.addFilter("wxr2dbNoSlash", (url) => String(url ?? "").replace(/\/$/, ""));
  const posts = (api) => api.getFilteredByGlob("posts/**/*.md").filter(isEntry).reverse();
  eleventyConfig.addCollection("wxr2dbPosts", posts);
  eleventyConfig.addCollection("wxr2dbPages", (api) =>
    api.getAll().filter((item) => isEntry(item) && !item.inputPath.includes("/posts/")));
  eleventyConfig.addCollection("wxr2dbTerms", (api) => termPages(posts(api), data));
  eleventyConfig.addCollection("wxr2dbAuthors", (api) => authorPages(posts(api), data));
  eleventyConfig.addCollection("wxr2dbAliases", (api) => {
    const taken = new Set(api.getAll().map((item) => item.url));
    return api.getAll().filter((item) => item.data.draft !== true && item.data.permalink !== false).flatMap((item) =>
      (item.data.aliases || []).filter((from) => !taken.has(from)).map((from) => ({ from, to: item.url })));
  });
}
