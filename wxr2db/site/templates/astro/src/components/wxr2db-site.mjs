// wxr2db: what the starter site's routes share: the published posts (newest first) and pages, the
// pages of each term and author, and the old WordPress addresses to redirect from.
import { getCollection } from "astro:content";
import site from "../data/wxr2db.json";

export { site };
// `.wxr2db-empty` stands in for an empty collection (see src/content.config.ts).
const published = ({ id, data }) => id !== ".wxr2db-empty" && (import.meta.env.DEV || data.draft !== true);

export async function posts() {
  return (await getCollection("posts", published)).sort(
    (a, b) => new Date(b.data.pubDate ?? 0) - new Date(a.data.pubDate ?? 0) || a.id.localeCompare(b.id));
}

export async function pages() {
  return getCollection("pages", published);
}

export const postUrl = (entry) => `/posts/${entry.id}/`;
export const pageUrl = (entry) => `/${entry.id}/`;
export const offsetOf = (entry) => site.offsets?.[`p${entry.data.wordpress_id}`];

function slugify(text) {
  return String(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "") || "term";
}

export function termUrl(taxonomy, name) {
  return site.term_urls?.[taxonomy]?.[name] ?? `/${taxonomy === "category" ? "category" : "tag"}/${slugify(name)}/`;
}

export function authorUrl(name) {
  return site.author_urls?.[name] ?? `/author/${slugify(name)}/`;
}

// The last segment of a term's or author's URL, as the route's parameter.
export const lastSegment = (url) => decodeURIComponent(url.split("/").filter(Boolean).pop() ?? "");

export async function termPages(taxonomy) {
  const key = taxonomy === "category" ? "categories" : "tags";
  const found = new Map();
  for (const entry of await posts()) {
    for (const name of entry.data[key] ?? []) {
      const url = termUrl(taxonomy, name);
      if (!found.has(url)) found.set(url, { name: String(name), url, description: site.descriptions?.[url] ?? "", posts: [] });
      found.get(url).posts.push(entry);
    }
  }
  return [...found.values()];
}

export async function authorPages() {
  const found = new Map();
  for (const entry of await posts()) {
    if (!entry.data.author) continue;
    const url = authorUrl(entry.data.author);
    if (!found.has(url)) found.set(url, { name: String(entry.data.author), url, posts: [] });
    found.get(url).posts.push(entry);
  }
  return [...found.values()];
}

// Old address (without slashes at the ends) -> new URL: each post's and page's `aliases`, and
// WordPress's year and month archives, which the archive page takes over.
export async function redirects(taken) {
  const found = new Map();
  const add = (from, to) => {
    const id = String(from).replace(/^\/+|\/+$/g, "");
    if (id && !taken.has(id) && !found.has(id)) found.set(id, to);
  };
  for (const entry of await posts()) for (const from of entry.data.aliases ?? []) add(from, postUrl(entry));
  for (const entry of await pages()) for (const from of entry.data.aliases ?? []) add(from, pageUrl(entry));
  for (const month of site.months ?? []) {
    add(month.slice(0, 4), "/archives/");
    add(month, "/archives/");
  }
  return found;
}
