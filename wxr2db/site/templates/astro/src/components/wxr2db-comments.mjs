// wxr2db: what the comment components need: comment text (Markdown) as HTML, and dates.
// @astrojs/markdown-remark comes with astro (with pnpm, add it to your dependencies).
import { createMarkdownProcessor } from "@astrojs/markdown-remark";

// Comment text came from visitors: raw HTML in it is dropped, and so are script links.
const UNSAFE_URL = /^\s*(?:javascript|vbscript|data):/i;
let processor;

function dropUnsafeLinks() {
  const walk = (node) => {
    for (const name of ["href", "src"]) {
      if (typeof node.properties?.[name] === "string" && UNSAFE_URL.test(node.properties[name])) {
        delete node.properties[name];
      }
    }
    node.children?.forEach(walk);
  };
  return walk;
}

export async function commentHtml(text) {
  processor ??= createMarkdownProcessor({
    syntaxHighlight: false,
    smartypants: false,
    remarkRehype: { allowDangerousHtml: false },
    rehypePlugins: [dropUnsafeLinks],
  });
  return (await (await processor).render(String(text ?? ""))).code;
}

export function safeUrl(url) {
  return url && !UNSAFE_URL.test(url) ? url : undefined;
}

// Only http(s), mailto and local URLs go into an href or src from front matter.
const SAFE_URL = /^(?:https?:\/\/|mailto:|\/(?!\/)|#)/i;
export function linkUrl(url) {
  return url && SAFE_URL.test(String(url).trim()) ? String(url).trim() : undefined;
}

// The time WordPress showed: JavaScript dates lose the UTC offset front matter gave, so the starter's
// src/data/wxr2db.json keeps each post's (`p1148`) and comment's (`c881`) offset in minutes.
function shifted(value, offset) {
  const date = new Date(value);
  return typeof offset === "number" ? new Date(date.getTime() + offset * 60000) : date;
}

export function isoDate(value, offset) {
  if (typeof offset !== "number") return new Date(value).toISOString();
  const sign = offset < 0 ? "-" : "+";
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const minutes = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${shifted(value, offset).toISOString().slice(0, 19)}${sign}${hours}:${minutes}`;
}

// Made once: toLocaleDateString builds a formatter on every call, a tenth of a millisecond each.
const LONG_DATE = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
const TIME = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: "UTC" });

export function longDate(value, offset) {
  return LONG_DATE.format(shifted(value, offset));
}

export function dateTime(value, offset) {
  const time = TIME.format(shifted(value, offset));
  return `${longDate(value, offset)} at ${time.replace(" AM", " am").replace(" PM", " pm")}`;
}
