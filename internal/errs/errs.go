// Package errs is the one error vocabulary of Nexo. Services return *Error
// values with a Code; the web layer maps codes to HTTP statuses and writes
// RFC 9457 problem+json. Anything that is not an *Error is an internal error
// and its text never reaches a client.
package errs

import (
	"errors"
	"fmt"
)

// Code is a coarse error class; the web layer maps each to one HTTP status.
type Code string

// The code set. Keep it small: callers branch on codes, not on messages.
const (
	Invalid            Code = "invalid"
	NotFound           Code = "not_found"
	Conflict           Code = "conflict"
	Unauthenticated    Code = "unauthenticated"
	Forbidden          Code = "forbidden"
	PaymentRequired    Code = "payment_required"
	FailedPrecondition Code = "failed_precondition"
	RateLimited        Code = "rate_limited"
	Internal           Code = "internal"
)

// Error is a coded, client-safe error. Message is shown to the client; Fields
// names the request fields at fault (field → reason). Err is the wrapped cause,
// logged but never shown.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Err }

// E builds a coded error with a client-safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field builds an Invalid error naming one field.
func Field(field, reason string) *Error {
	return &Error{Code: Invalid, Message: field + ": " + reason, Fields: map[string]string{field: reason}}
}

// Wrap attaches a cause to a coded error; the cause is logged, not shown.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of err, or Internal for uncoded errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Fields collects per-field validation failures and turns them into one
// Invalid error, so a client sees every bad field at once.
type Fields map[string]string

// Add records a failure for field unless one is already recorded.
func (f Fields) Add(field, reason string) {
	if _, ok := f[field]; !ok {
		f[field] = reason
	}
}

// Err returns nil when no field failed, else an Invalid error naming them.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "invalid input"
	if len(f) == 1 {
		for k, v := range f {
			msg = k + ": " + v
		}
	}
	return &Error{Code: Invalid, Message: msg, Fields: f}
}

// FieldReason returns err's reason for field, or its message.
func FieldReason(err error, field string) string {
	var e *Error
	if errors.As(err, &e) {
		if r, ok := e.Fields[field]; ok {
			return r
		}
		return e.Message
	}
	return err.Error()
}
