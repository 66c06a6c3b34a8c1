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

export function isoDate(value) {
  return new Date(value).toISOString();
}

export function longDate(value) {
  return new Date(value).toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}
