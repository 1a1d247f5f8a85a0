// A module of its own so that `go ... ./...` in the main module never walks
// node_modules (npm packages may ship .go files); the main module requires
// it through a replace directive.
module nexo/frontend

go 1.26.8
