// wxr2db: the feed (WordPress's /feed/ redirects here). Each item keeps the GUID WordPress gave it, so
// readers do not take every post for a new one. No package needed (@astrojs/rss would do the same).
import { posts, postUrl, site } from "../components/wxr2db-site.mjs";

const escape = (text) => String(text ?? "").replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

// A podcast episode's file: only an http(s) or local URL (made absolute); RSS wants all three
// attributes, so length is 0 when unknown.
function enclosure(found, base) {
  const url = String(found?.url ?? "").trim();
  if (!/^(?:https?:\/\/|\/(?!\/))/i.test(url)) return "";
  const length = Math.max(0, Number.parseInt(found.length, 10) || 0);
  return `<enclosure url="${escape(url.startsWith("/") ? base + url : url)}" length="${length}" ` +
    `type="${escape(found.type || "application/octet-stream")}"/>`;
}

export async function GET() {
  const base = String(site.base_url ?? "/").replace(/\/$/, "");
  const items = (await posts()).slice(0, 20).map((entry) => {
    const link = `${base}${postUrl(entry)}`;
    const guid = site.guids?.[postUrl(entry)];
    return ["<item>", `<title>${escape(entry.data.title)}</title>`, `<link>${escape(link)}</link>`,
      entry.data.pubDate ? `<pubDate>${new Date(entry.data.pubDate).toUTCString()}</pubDate>` : "",
      entry.data.author ? `<dc:creator>${escape(entry.data.author)}</dc:creator>` : "",
      guid ? `<guid isPermaLink="false">${escape(guid)}</guid>` : `<guid>${escape(link)}</guid>`,
      entry.data.description ? `<description>${escape(entry.data.description)}</description>` : "",
      enclosure(entry.data.enclosure, base),
      "</item>"].filter(Boolean).join("\n");
  });
  const body = ['<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">', "<channel>",
    `<title>${escape(site.title)}</title>`, `<link>${escape(site.base_url)}</link>`,
    `<description>${escape(site.tagline || site.title)}</description>`, `<language>${escape(site.language)}</language>`,
    ...items, "</channel>", "</rss>"].join("\n");
  return new Response(body + "\n", { headers: { "Content-Type": "application/rss+xml; charset=utf-8" } });
}
