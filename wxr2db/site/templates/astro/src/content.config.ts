// wxr2db: the collections wxr2db writes (src/content/posts, src/content/pages), with a schema that
// accepts its front matter. Another post type (--types) lands in src/content/<type>/: add a collection
// like these for it.
import { defineCollection, z } from "astro:content";
import { existsSync, readdirSync } from "node:fs";
import { glob, type Loader } from "astro/loaders";

// The entry id is the file's path without `.md`, as wxr2db chose it: Astro's default id re-slugs
// every segment (dots and other punctuation dropped), and the links wxr2db rewrote point at the path.
const generateId = ({ entry }: { entry: string }): string => entry.replace(/\.md$/, "");

type Comment = {
  id: number;
  author: string;
  author_url?: string;
  date?: Date;
  type?: string; // pingback, trackback, or a plugin's note
  approved?: boolean | string; // only with --comments all: true, false, "spam" or "trash"
  content: string; // Markdown
  replies?: Comment[];
};

const comment: z.ZodType<Comment, z.ZodTypeDef, unknown> = z.lazy(() =>
  z.object({
    id: z.number(),
    author: z.string(),
    author_url: z.string().optional(),
    date: z.coerce.date().optional(),
    type: z.string().optional(),
    approved: z.union([z.boolean(), z.string()]).optional(),
    content: z.string(),
    replies: z.array(comment).optional(),
  }).passthrough(),
);

// Keys wxr2db writes; others (a plugin taxonomy, `format`, `permalink`) pass through untyped.
const entry = z.object({
  title: z.string(),
  pubDate: z.coerce.date().optional(),
  updatedDate: z.coerce.date().optional(),
  draft: z.boolean().optional(), // drafts, and private or password-protected posts (--private)
  visibility: z.enum(["private", "password"]).optional(),
  author: z.string().optional(),
  description: z.string().optional(),
  categories: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  aliases: z.array(z.string()).optional(), // the old WordPress paths, to redirect from
  heroImage: z.string().optional(),
  wordpress_id: z.number().optional(),
  comments: z.array(comment).optional(),
}).passthrough();

// An export without pages (or posts) leaves a folder without Markdown, which the glob loader warns of,
// and getCollection warns of an empty collection: such a collection holds one hidden draft instead.
export const EMPTY_ID = ".wxr2db-empty";

function markdownIn(base: string): Loader {
  const loader = glob({ pattern: "**/*.md", base, generateId });
  const found = existsSync(base) && readdirSync(base, { recursive: true }).some((name) => String(name).endsWith(".md"));
  return found ? loader : {
    name: "wxr2db-empty",
    load: async ({ store }) => {
      store.clear();
      store.set({ id: EMPTY_ID, data: { title: "", draft: true } });
    },
  };
}

export const collections = {
  posts: defineCollection({ loader: markdownIn("./src/content/posts"), schema: entry }),
  pages: defineCollection({ loader: markdownIn("./src/content/pages"), schema: entry }),
};
