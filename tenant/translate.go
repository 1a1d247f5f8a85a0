package tenant

import "nexo/internal/db"

func translate(err error) error { return db.Translate(err) }
