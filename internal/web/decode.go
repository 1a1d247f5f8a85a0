package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Decode strictly parses the JSON body into v: the content type must be
// JSON, unknown fields are refused by name (so "tenant_id" or "role" smuggled
// into a body is rejected, A4), and type errors name the field.
func Decode(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return errs.Field("body", "content type must be application/json")
	}
	return DecodeBytes(c.Body(), v)
}

// DecodeOptional is Decode for an optional body (an action's {"note": …}):
// an empty body leaves v as it is; anything else must be strict JSON.
func DecodeOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return Decode(c, v)
}

// DecodeBytes is Decode without the request (fuzz targets use it).
func DecodeBytes(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errs.Field("body", "must contain a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return errs.Field(field, "must be "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errs.Field("body", "malformed JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Field(name, "unknown field")
	}
	return errs.Field("body", "malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// ParseID reads an id given in field; anything but a non-nil UUID is a
// 400 naming the field.
func ParseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, errs.Field(field, "must be an id")
	}
	return id, nil
}

// NullableID reads an optional id of a PATCH-like body kept as raw JSON:
// absent is nil, JSON null is uuid.Nil ("clear it"), a string is the id.
func NullableID(field string, raw json.RawMessage) (*uuid.UUID, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	id := uuid.Nil
	if string(raw) != "null" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, errs.Field(field, "must be an id or null")
		}
		var err error
		if id, err = ParseID(field, s); err != nil {
			return nil, err
		}
	}
	return &id, nil
}
