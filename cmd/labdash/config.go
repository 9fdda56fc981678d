package main

import (
	"errors"

	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labdash/labdash/db"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/roster"
)

// Config is labdash's configuration: flags with LABDASH_* environment twins,
// validated once at start and passed by value.
type Config struct {
	Addr            string
	DB              string
	LogFormat       string
	LogLevel        string
	Cloud           string
	Demo            bool
	SimSpeed        float64
	SimDNS          string // the simulator's DNS server for its hosted zones: loopback host:port (0: a free port), or "off"
	SimWebsite      string // where the simulator serves its S3 websites (Lab 4's slot machine): loopback host:port (0: a free port), or "off"
	BaseURL         string
	SecureCookies   bool
	SessionTTL      time.Duration
	MonitorInterval time.Duration
	// AWSS3PathStyle and AWSCloudWatchProtocol adapt the AWS clients to an
	// AWS-compatible endpoint (moto, LocalStack) named by AWS_ENDPOINT_URL.
	AWSS3PathStyle        bool
	AWSCloudWatchProtocol string
	AdminEmail            string // env only: LABDASH_ADMIN_EMAIL
	AdminPassword         string // env only: LABDASH_ADMIN_PASSWORD
}

// commonFlags registers the flags every subcommand shares (the database and logging).
func commonFlags(fs *flag.FlagSet, cfg *Config, e *env) {
	fs.StringVar(&cfg.DB, "db", e.str("LABDASH_DB", "./labdash.db"), "SQLite database file (LABDASH_DB)")
	fs.StringVar(&cfg.LogFormat, "log-format", e.str("LABDASH_LOG_FORMAT", "text"), "log format: text or json (LABDASH_LOG_FORMAT)")
	fs.StringVar(&cfg.LogLevel, "log-level", e.str("LABDASH_LOG_LEVEL", "info"), "log level: debug, info, warn or error (LABDASH_LOG_LEVEL)")
}

// awsFlags registers the settings of the AWS clients (with --cloud aws).
func awsFlags(fs *flag.FlagSet, cfg *Config, e *env) {
	fs.BoolVar(&cfg.AWSS3PathStyle, "aws-s3-path-style", e.boolean("LABDASH_AWS_S3_PATH_STYLE", false),
		"address S3 buckets as ENDPOINT/BUCKET, for an AWS-compatible endpoint such as moto or LocalStack (LABDASH_AWS_S3_PATH_STYLE)")
	fs.StringVar(&cfg.AWSCloudWatchProtocol, "aws-cloudwatch-protocol", e.str("LABDASH_AWS_CLOUDWATCH_PROTOCOL", "cbor"),
		"protocol of CloudWatch calls: cbor (the SDK's default), json or query; moto needs json (LABDASH_AWS_CLOUDWATCH_PROTOCOL)")
}

// awsOptions is opts with the AWS client settings of c.
func (c Config) awsOptions(opts awsprovider.Options) awsprovider.Options {
	opts.S3PathStyle = c.AWSS3PathStyle
	opts.CloudWatchProtocol = c.AWSCloudWatchProtocol
	return opts
}

// serveFlags registers the server's flags.
func serveFlags(fs *flag.FlagSet, cfg *Config, e *env) {
	commonFlags(fs, cfg, e)
	fs.StringVar(&cfg.Addr, "addr", e.str("LABDASH_ADDR", "127.0.0.1:8080"), "listen address host:port (LABDASH_ADDR)")
	fs.StringVar(&cfg.Cloud, "cloud", e.str("LABDASH_CLOUD", "sim"), "cloud provider: sim (built-in simulated AWS) or aws (LABDASH_CLOUD)")
	fs.StringVar(&cfg.BaseURL, "base-url", e.str("LABDASH_BASE_URL", ""), "public URL that personal links start with, e.g. https://labs.example.edu (LABDASH_BASE_URL; default: the request's host)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", e.boolean("LABDASH_SECURE_COOKIES", false), "mark cookies Secure; set behind a TLS proxy (LABDASH_SECURE_COOKIES)")
	fs.DurationVar(&cfg.SessionTTL, "session-ttl", e.duration("LABDASH_SESSION_TTL", 12*time.Hour), "how long a sign-in lasts (LABDASH_SESSION_TTL)")
	fs.BoolVar(&cfg.Demo, "demo", e.boolean("LABDASH_DEMO", true), "seed the demo class of virtual students when the database is empty, sim only (LABDASH_DEMO)")
	fs.DurationVar(&cfg.MonitorInterval, "monitor-interval", e.duration("LABDASH_MONITOR_INTERVAL", 2*time.Second), "real time between monitor cycles (LABDASH_MONITOR_INTERVAL)")
	fs.Float64Var(&cfg.SimSpeed, "sim-speed", e.float("LABDASH_SIM_SPEED", 10), "simulated seconds per real second (LABDASH_SIM_SPEED)")
	fs.StringVar(&cfg.SimDNS, "sim-dns", e.str("LABDASH_SIM_DNS", "127.0.0.1:0"),
		"loopback host:port where the simulator answers DNS for its hosted zones, for dig (port 0: a free one; off: none) (LABDASH_SIM_DNS)")
	fs.StringVar(&cfg.SimWebsite, "sim-website", e.str("LABDASH_SIM_WEBSITE", "127.0.0.1:0"),
		"loopback host:port where the simulator serves its S3 websites, such as Lab 4's slot machine, on an origin apart from labdash's (port 0: a free one; off: none) (LABDASH_SIM_WEBSITE)")
	awsFlags(fs, cfg, e)
	cfg.AdminEmail = e.get("LABDASH_ADMIN_EMAIL")
	cfg.AdminPassword = e.get("LABDASH_ADMIN_PASSWORD")
}

// validate reports every configuration problem at once, naming the flag and its env twin.
func (c Config) validate(serving bool) error {
	var errs []error
	if strings.TrimSpace(c.DB) == "" {
		errs = append(errs, errors.New("--db (LABDASH_DB) must name a database file"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format (LABDASH_LOG_FORMAT) is %q; use text or json", c.LogFormat))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level (LABDASH_LOG_LEVEL) is %q; use debug, info, warn or error", c.LogLevel))
	}
	switch c.AWSCloudWatchProtocol {
	case "", "cbor", "json", "query":
	default:
		errs = append(errs, fmt.Errorf("--aws-cloudwatch-protocol (LABDASH_AWS_CLOUDWATCH_PROTOCOL) is %q; use cbor, json or query", c.AWSCloudWatchProtocol))
	}
	if !serving {
		return errors.Join(errs...)
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr (LABDASH_ADDR) is %q; use host:port such as 127.0.0.1:8080", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("--addr (LABDASH_ADDR) has port %q; use 0–65535", port))
	}
	switch c.Cloud {
	case "sim":
	case "aws":
	default:
		errs = append(errs, fmt.Errorf("--cloud (LABDASH_CLOUD) is %q; use sim or aws", c.Cloud))
	}
	if c.Cloud == "sim" && c.SimDNS != "off" && c.SimDNS != "" {
		host, _, err := net.SplitHostPort(c.SimDNS)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			errs = append(errs, fmt.Errorf("--sim-dns (LABDASH_SIM_DNS) is %q; use a loopback host:port such as 127.0.0.1:8053, or off", c.SimDNS))
		}
	}
	if c.Cloud == "sim" && c.SimWebsite != "off" && c.SimWebsite != "" {
		host, _, err := net.SplitHostPort(c.SimWebsite)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			errs = append(errs, fmt.Errorf("--sim-website (LABDASH_SIM_WEBSITE) is %q; use a loopback host:port such as 127.0.0.1:8081, or off", c.SimWebsite))
		}
	}
	if c.SimSpeed <= 0 || c.SimSpeed > 10000 {
		errs = append(errs, fmt.Errorf("--sim-speed (LABDASH_SIM_SPEED) is %g; use a number above 0 and at most 10000", c.SimSpeed))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("--base-url (LABDASH_BASE_URL) is %q; use a scheme and host such as https://labs.example.edu", c.BaseURL))
		}
	}
	if c.MonitorInterval < 100*time.Millisecond || c.MonitorInterval > 10*time.Minute {
		errs = append(errs, fmt.Errorf("--monitor-interval (LABDASH_MONITOR_INTERVAL) is %s; use between 100ms and 10m", c.MonitorInterval))
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-ttl (LABDASH_SESSION_TTL) is %s; use between 1m and 720h", c.SessionTTL))
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("set both LABDASH_ADMIN_EMAIL and LABDASH_ADMIN_PASSWORD, or neither"))
	} else if c.AdminEmail != "" {
		// Checked here, before the database opens and the background starts, so a bad
		// admin account fails the start with this one message and nothing else.
		if msg := roster.EmailProblem(c.AdminEmail); msg != "" {
			errs = append(errs, errors.New("LABDASH_ADMIN_EMAIL: "+msg))
		}
		if msg := db.PasswordProblem(c.AdminPassword); msg != "" {
			errs = append(errs, errors.New("LABDASH_ADMIN_PASSWORD: "+msg))
		}
	}
	return errors.Join(errs...)
}

func (c Config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// env reads LABDASH_* variables as flag defaults and remembers malformed ones, so
// start-up can name the variable instead of silently using the default.
type env struct {
	get func(string) string
	bad []error
}

func (e *env) str(key, def string) string {
	if v := e.get(key); v != "" {
		return v
	}
	return def
}

func (e *env) boolean(key string, def bool) bool {
	if v := e.get(key); v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
		e.bad = append(e.bad, fmt.Errorf("%s is %q; use true or false", key, v))
	}
	return def
}

func (e *env) float(key string, def float64) float64 {
	if v := e.get(key); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
		e.bad = append(e.bad, fmt.Errorf("%s is %q; use a number", key, v))
	}
	return def
}

func (e *env) duration(key string, def time.Duration) time.Duration {
	if v := e.get(key); v != "" {
		d, err := time.ParseDuration(v)
		if err == nil {
			return d
		}
		e.bad = append(e.bad, fmt.Errorf("%s is %q; use a duration such as 12h", key, v))
	}
	return def
}
