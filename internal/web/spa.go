package web

import (
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// spaCSP allows only the app's own scripts and API. Inline styles are
// allowed because the component library sets style attributes and its CSS
// variables in a <style> element; inline scripts are not.
const spaCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

// notBuilt is served when the binary was compiled without the web app.
const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Nexo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:640px;margin:4rem auto;padding:0 1rem}code{background:#f1f3f5;padding:.1rem .3rem}</style>
<h1>Nexo is running</h1><p>This binary was built without the web app. Build it with
<code>make run</code> (or <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>, then
<code>go build ./cmd/nexo</code>). The API is at <a href="/api/docs">/api/docs</a>.</p></html>`

// SPA serves the single-page web app from dist: files as they are (hashed
// assets cached for a year), and index.html for every other GET path so the
// client-side router can take it. API paths and non-GET requests pass to the
// next handler, so unknown API routes keep answering problem+json. A nil
// dist serves a page that says how to build the app.
func SPA(dist fs.FS) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := c.Path()
		if (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) || p == "/api" || strings.HasPrefix(p, "/api/") {
			return c.Next()
		}
		c.Set("Content-Security-Policy", spaCSP)
		if dist == nil {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.SendString(notBuilt)
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
				} else {
					c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
				}
				return sendFile(c, dist, name)
			}
			// A missing asset is a 404, not the app shell: a stale page asking
			// for an old bundle must not get HTML back as JavaScript.
			if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
				return c.Next()
			}
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return sendFile(c, dist, "index.html")
	}
}

func sendFile(c *fiber.Ctx, dist fs.FS, name string) error {
	b, err := fs.ReadFile(dist, name)
	if err != nil {
		return err
	}
	c.Type(path.Ext(name))
	return c.Send(b)
}
