// wxr2db: the collections wxr2db writes (src/content/posts, src/content/pages), with a schema that
// accepts its front matter. Another post type (--types) lands in src/content/<type>/: add a collection
// like these for it.
import { defineCollection, z } from "astro:content";
import { glob } from "astro/loaders";

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

export const collections = {
  posts: defineCollection({ loader: glob({ pattern: "**/*.md", base: "./src/content/posts", generateId }), schema: entry }),
  pages: defineCollection({ loader: glob({ pattern: "**/*.md", base: "./src/content/pages", generateId }), schema: entry }),
};
