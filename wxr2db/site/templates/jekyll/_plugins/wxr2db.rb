# wxr2db: a Liquid filter for comment text, which came from visitors: a link or image that Markdown
# made to a javascript:, vbscript: or data: URL points nowhere instead.
module Wxr2db
  module SafeLinks
    UNSAFE = /\b(href|src)=(["'])\s*(?:javascript|vbscript|data):[^"']*\2/i.freeze

    def wxr2db_safe_links(html)
      html.to_s.gsub(UNSAFE) { "#{Regexp.last_match(1)}=\"#\"" }
    end
  end
end

Liquid::Template.register_filter(Wxr2db::SafeLinks)
