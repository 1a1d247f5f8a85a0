// Package web is Nexo's HTTP foundation: the Fiber app with its one error
// handler (errs → RFC 9457 problem+json), request middleware (request id,
// logging, metrics, recovery), strict JSON decoding, cursor paging, and the
// router that records which permission guards every route.
package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
)

// ProblemType is the base of the problem "type" URIs.
const ProblemType = "https://nexo.dev/problems/"

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Code      errs.Code         `json:"code"`
	Errors    map[string]string `json:"errors,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

var statusOf = map[errs.Code]int{
	errs.Invalid:            http.StatusBadRequest,
	errs.NotFound:           http.StatusNotFound,
	errs.Conflict:           http.StatusConflict,
	errs.Unauthenticated:    http.StatusUnauthorized,
	errs.Forbidden:          http.StatusForbidden,
	errs.PaymentRequired:    http.StatusPaymentRequired,
	errs.FailedPrecondition: http.StatusUnprocessableEntity,
	errs.RateLimited:        http.StatusTooManyRequests,
	errs.Internal:           http.StatusInternalServerError,
}

var codeOfStatus = map[int]errs.Code{
	http.StatusBadRequest:            errs.Invalid,
	http.StatusNotFound:              errs.NotFound,
	http.StatusMethodNotAllowed:      errs.NotFound,
	http.StatusConflict:              errs.Conflict,
	http.StatusUnauthorized:          errs.Unauthenticated,
	http.StatusForbidden:             errs.Forbidden,
	http.StatusRequestEntityTooLarge: errs.Invalid,
	http.StatusUnsupportedMediaType:  errs.Invalid,
	http.StatusTooManyRequests:       errs.RateLimited,
	http.StatusRequestTimeout:        errs.Invalid,
}

// Status returns the HTTP status for a code.
func Status(code errs.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorHandler is the one place errors become responses. Coded errors keep
// their message; anything else is logged with the request id and answered
// "internal error" so no driver or stack text reaches the client (Q3).
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := Problem{RequestID: RequestID(c)}
		var coded *errs.Error
		var fe *fiber.Error
		switch {
		case errors.As(err, &coded):
			p.Code, p.Detail, p.Errors = coded.Code, coded.Message, coded.Fields
			if coded.Code == errs.Internal {
				p.Detail = "internal error"
			}
		case errors.As(err, &fe):
			p.Code = codeOfStatus[fe.Code]
			if p.Code == "" {
				p.Code = errs.Internal
			}
			p.Detail = fe.Message
			if fe.Code == http.StatusRequestEntityTooLarge {
				p.Errors = map[string]string{"body": "too large"}
			}
		default:
			p.Code, p.Detail = errs.Internal, "internal error"
		}
		p.Status = Status(p.Code)
		if fe != nil && fe.Code >= 400 && fe.Code < 500 {
			p.Status = fe.Code
		}
		p.Type = ProblemType + string(p.Code)
		p.Title = http.StatusText(p.Status)
		if p.Status >= 500 {
			log.ErrorContext(c.UserContext(), "request failed", "err", err, "request_id", p.RequestID,
				"method", c.Method(), "path", c.Path())
		}
		return WriteProblem(c, p)
	}
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}
