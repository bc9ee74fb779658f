// Package console is the service's web console: a page to upload photos
// and follow their indexing, see the indexed faces by person, search a
// photo with every face's box drawn, delete faces and images, erase
// persons, and read the service's settings. It is plain HTML, CSS and
// JavaScript embedded in the binary (go:embed): nothing is loaded from the
// internet, and the page talks to the API only.
//
// `facerec serve` serves it at the root of the offline API (Register), so
// the page calls the API on its own origin. `facerec console` serves it
// alone on a local address for a deployed API (Config.Endpoint and
// Config.APIKey); the API's CORS (the construct's AllowedOrigin) must then
// allow the console's origin.
package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

// AssetPrefix is the path under which the page's scripts and styles are
// served; the page itself is served at "/".
const AssetPrefix = "/console/"

// ConfigPath is the path of the JSON document that tells the page which
// API to call: {"endpoint": ..., "apiKey": ...}, from Config.
const ConfigPath = AssetPrefix + "config.json"

// Config tells the page which API to call.
type Config struct {
	// Endpoint is the API's base URL (a deployed stage's URL, such as
	// "https://abc.execute-api.eu-west-1.amazonaws.com/prod/"); empty
	// means the origin the page is served from (`facerec serve`).
	Endpoint string `json:"endpoint"`
	// APIKey is sent as x-api-key; empty lets the user enter one in the
	// page (kept in the browser's localStorage). It is served to anyone
	// who can reach the console's address: serve it on loopback only.
	APIKey string `json:"apiKey"`
}

// Register adds the console's routes to mux: GET (and HEAD) of "/" for the
// page, of AssetPrefix+"…" for its assets, and of ConfigPath for cfg. It
// takes no other method of "/", so an API may answer POST / on the same
// mux.
func Register(mux *http.ServeMux, cfg Config) {
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		http.ServeFileFS(w, r, static, "index.html")
	})
	mux.Handle("GET "+AssetPrefix, http.StripPrefix(AssetPrefix[:len(AssetPrefix)-1], files))
	mux.HandleFunc("GET "+ConfigPath, func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(cfg)
	})
}

// Handler returns a handler serving the console alone (Register on a new
// mux), as `facerec console` does.
func Handler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	Register(mux, cfg)
	return mux
}

// contentSecurityPolicy keeps the page to its own scripts and styles;
// connect-src allows any API endpoint (the user chooses it), and img-src
// the blob: URLs of the thumbnails and the data: URL of the searched photo.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}
