package api

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound what one request, and one client, may ask of the server.
// The zero value of a field means its default; rate limiting is off unless
// RatePerSecond is set (twinning serve sets it: -rate).
type Limits struct {
	// MaxQueryBytes caps the length of the raw query string; longer ones
	// get 414. Default 4096.
	MaxQueryBytes int
	// MaxBodyBytes caps a request body; a longer one fails to read and gets
	// 413. Default 1 MiB.
	MaxBodyBytes int64
	// RequestTimeout bounds the context of every handler, so that a slow
	// store call is cut off (and answered 503) rather than held. Default
	// 30 s.
	RequestTimeout time.Duration
	// RatePerSecond and Burst set the token bucket of each client address
	// for the /v1 routes: requests beyond it get 429 with Retry-After. 0
	// (or less) turns rate limiting off; Burst defaults to
	// max(DefaultBurst, RatePerSecond).
	RatePerSecond float64
	Burst         int
	// TrustedProxies are the networks of the reverse proxies in front of
	// the server: a request from one of them is counted against the
	// client that X-Forwarded-For names (the last address there that is
	// not itself a trusted proxy), so that clients behind a proxy do not
	// share one bucket. Empty: X-Forwarded-For is never read.
	TrustedProxies []netip.Prefix
}

// Defaults of Limits.
const (
	DefaultMaxQueryBytes  = 4096
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
	DefaultBurst          = 100
)

// withDefaults returns l with its zero fields set to the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxQueryBytes <= 0 {
		l.MaxQueryBytes = DefaultMaxQueryBytes
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.Burst <= 0 {
		l.Burst = max(DefaultBurst, int(math.Ceil(l.RatePerSecond)))
	}
	return l
}

// limit enforces the request-size limits and the handler timeout.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > s.limits.MaxQueryBytes {
			s.writeProblem(w, problemFor(r, http.StatusRequestURITooLong, "uri_too_long", "Query too long",
				"the query string is "+strconv.Itoa(len(r.URL.RawQuery))+" bytes; at most "+strconv.Itoa(s.limits.MaxQueryBytes)+" are accepted"))
			return
		}
		maxBody, timeout := s.limits.MaxBodyBytes, s.limits.RequestTimeout
		if isImportUpload(r) && s.imports != nil {
			// A file to import: larger, and as slow as the client's line.
			maxBody, timeout = s.imports.maxBytes, 24*time.Hour
		}
		if r.ContentLength > maxBody {
			s.writeProblem(w, problemFor(r, http.StatusRequestEntityTooLarge, "body_too_large", "Body too large",
				"the body is "+strconv.FormatInt(r.ContentLength, 10)+" bytes; at most "+strconv.FormatInt(maxBody, 10)+" are accepted"))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// rateLimiter keeps a token bucket per client address, forgetting those
// idle for long enough that their bucket is full again.
type rateLimiter struct {
	rate    rate.Limit
	burst   int
	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

// client is one address's bucket and when it was last used.
type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxClients bounds the limiter's memory: past it, idle clients are swept
// at once rather than once a minute.
const maxClients = 100_000

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate.Limit(perSecond), burst: burst, clients: map[string]*client{}}
}

// reserve takes a token for key and returns 0 when the request may go on,
// or how long the client should wait before trying again.
func (rl *rateLimiter) reserve(key string, now time.Time) time.Duration {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if now.Sub(rl.swept) > time.Minute || len(rl.clients) >= maxClients {
		// A bucket idle for burst/rate is full again: forgetting it changes
		// nothing for its client.
		idle := time.Duration(float64(rl.burst)/float64(rl.rate)*float64(time.Second)) + time.Second
		for k, c := range rl.clients {
			if now.Sub(c.seen) > idle {
				delete(rl.clients, k)
			}
		}
		rl.swept = now
	}
	c, ok := rl.clients[key]
	if !ok {
		c = &client{lim: rate.NewLimiter(rl.rate, rl.burst)}
		rl.clients[key] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait == 0 {
		return 0
	}
	r.CancelAt(now) // refused: the token is given back
	return max(wait, time.Second)
}

// clientAddress returns the host part of the request's remote address;
// when that address is one of trusted (Limits.TrustedProxies), the last
// address of X-Forwarded-For that is not trusted, walking from the right,
// since each proxy appends the address it got the request from. A header
// that says nothing usable leaves the proxy's own address.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 || !isTrusted(host, trusted) {
		return host
	}
	var hops []string
	for _, field := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(field, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(hops[i])
		if err != nil {
			return host // a forged or broken header: the proxy's bucket
		}
		if !isTrusted(addr.String(), trusted) {
			return addr.Unmap().String()
		}
	}
	return host
}

// isTrusted reports whether the address host lies in one of nets.
func isTrusted(host string, nets []netip.Prefix) bool {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, n := range nets {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}

// rateLimit answers 429 with Retry-After to a client over its rate.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, kind, subject := clientAddress(r, s.limits.TrustedProxies), "address", "client"
		if k, ok := keyFrom(r.Context()); ok {
			who, kind, subject = "key "+k.ID, "key", "key"
		}
		if wait := s.limiter.reserve(who, time.Now()); wait > 0 {
			s.metrics.limited.WithLabelValues(kind).Inc()
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeProblem(w, problemFor(r, http.StatusTooManyRequests, "rate_limited", "Too many requests",
				"this "+subject+" is over "+strconv.FormatFloat(float64(s.limiter.rate), 'f', -1, 64)+
					" requests per second; try again in "+strconv.Itoa(secs)+" s"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
