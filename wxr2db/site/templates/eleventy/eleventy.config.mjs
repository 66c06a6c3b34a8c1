// wxr2db: a minimal Eleventy config that shows WordPress posts with their comments.
import wxr2db from "./wxr2db-eleventy.mjs";

export default function (eleventyConfig) {
  eleventyConfig.addPlugin(wxr2db);
  // Every page without a layout of its own (the posts and pages wxr2db wrote) gets one showing its comments.
  eleventyConfig.addGlobalData("layout", "wxr2db-base.njk");
}
