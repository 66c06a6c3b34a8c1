// wxr2db: the starter site's Eleventy config. Build with `npx @11ty/eleventy`.
import wxr2db from "./wxr2db-eleventy.mjs";

export default function (eleventyConfig) {
  eleventyConfig.addPlugin(wxr2db);
  // Every page without a layout of its own (the posts and pages wxr2db wrote) gets the site's layout.
  eleventyConfig.addGlobalData("layout", "wxr2db-base.njk");
  // Eleventy copies no file by itself: the media wxr2db fetched, the stylesheet, the redirect files.
  for (const path of ["wp-content", "wxr2db.css", "_redirects", ".htaccess"]) {
    eleventyConfig.addPassthroughCopy(path);
  }
}
