// Package frontend embeds the built web app (`npm run build` writes dist/)
// into the Go binary.
package frontend

import (
	"embed"
	"io/fs"
)

// The pattern also matches the committed dist.keep, so the binary compiles
// before the first npm build; dist/ joins it when it exists. Go caches the
// build by the embedded files' contents, so a new npm build is always picked
// up by the next `go build`.
//
//go:embed all:dist*
var files embed.FS

// Dist returns the built app, or nil when it was not built before compiling.
func Dist() fs.FS {
	if _, err := fs.Stat(files, "dist/index.html"); err != nil {
		return nil
	}
	sub, err := fs.Sub(files, "dist")
	if err != nil {
		return nil
	}
	return sub
}
