// wxr2db: an Eleventy plugin for the WordPress posts wxr2db wrote. In your config:
//   import wxr2db from "./wxr2db-eleventy.mjs";
//   export default function (eleventyConfig) { eleventyConfig.addPlugin(wxr2db); }
// It registers the filters wxr2db-comments.njk uses and gives every page with a `wordpress_id`
// (and no layout of its own) the layout wxr2db-base.njk.
import markdownIt from "markdown-it";

// Comment text came from visitors: render its Markdown with raw HTML off.
const markdown = markdownIt({ html: false, linkify: false });

function asDate(value) {
  return value instanceof Date ? value : new Date(value);
}

export default function wxr2db(eleventyConfig) {
  eleventyConfig.addFilter("wxr2dbMarkdown", (text) => markdown.render(String(text ?? "")));
  eleventyConfig.addFilter("wxr2dbIsoDate", (value) => asDate(value).toISOString());
  eleventyConfig.addFilter("wxr2dbDate", (value) =>
    asDate(value).toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }));
  eleventyConfig.addGlobalData("eleventyComputed.layout", () => (data) =>
    data.layout ?? (data.wordpress_id !== undefined ? "wxr2db-base.njk" : undefined));
}
