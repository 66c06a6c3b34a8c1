// wxr2db: an Eleventy plugin for the WordPress posts wxr2db wrote. In your config:
//   import wxr2db from "./wxr2db-eleventy.mjs";
//   export default function (eleventyConfig) { eleventyConfig.addPlugin(wxr2db); }
// It registers the filters wxr2db-comments.njk and wxr2db-base.njk use. To show posts with their
// comments, give them the layout: eleventyConfig.addGlobalData("layout", "wxr2db-base.njk") (every page
// without a layout of its own), or `layout: wxr2db-base.njk` in a posts/posts.json directory data file.
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
}
