// wxr2db: a minimal Eleventy config that shows WordPress posts with their comments.
import wxr2db from "./wxr2db-eleventy.mjs";

export default function (eleventyConfig) {
  eleventyConfig.addPlugin(wxr2db);
}
