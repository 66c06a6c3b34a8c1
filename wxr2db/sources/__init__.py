"""Where exports come from: files and archives (files), byte repair (repair), the WXR reader (wxr)."""
