package graph

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps each code to one status code;
// anything that is not an *Error is treated as EINTERNAL.
const (
	ENOTFOUND    = "not_found"   // the thing asked for does not exist
	EINVALID     = "invalid"     // the input breaks a rule; Field names it
	ECONFLICT    = "conflict"    // the change clashes with what is stored
	EUNAVAILABLE = "unavailable" // a dependency (the database) cannot be reached now
	EINTERNAL    = "internal"    // a bug or an unexpected failure
	// EUNAUTHENTICATED: the caller gave no key where one is needed, or a
	// key that is unknown or revoked.
	EUNAUTHENTICATED = "unauthenticated"
	// EFORBIDDEN: the caller's key is valid but its role or scope does not
	// allow the action.
	EFORBIDDEN = "forbidden"
	// EPRECONDITION: the change was made against a version of a record
	// that is no longer the stored one (a stale If-Match).
	EPRECONDITION = "precondition_failed"
	// EPRECONDITIONREQUIRED: a change of a versioned record came without
	// the version it was made against (no If-Match).
	EPRECONDITIONREQUIRED = "precondition_required"
)

// Error is the application error. Message is safe to show to a user; Err,
// when set, carries the internal cause for logs and is never shown.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Field names the input at fault (a parameter, a JSON field, a CSV
	// column), when there is one.
	Field string
	// Message says what went wrong in words a user can act on.
	Message string
	// Err is the wrapped internal cause, if any.
	Err error
}

// Error returns the message, prefixed by the field when there is one, and
// the internal cause when there is one.
func (e *Error) Error() string {
	s := e.Message
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error that names the field at fault.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and user-facing message that
// keeps err as its internal cause. It returns nil when err is nil.
func Wrap(code string, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a
// nil error and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic message for any other error, so that internal details
// never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
