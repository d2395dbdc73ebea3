package worker

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/winnowhq/winnow/worker/crm"
	"github.com/winnowhq/winnow/worker/notify"
)

// FromEnv sets the secrets, origin, limits and webhook targets of c from
// environment variables (at the edge: the Worker's vars and secrets):
//
//	WINNOW_ADMIN_TOKEN       bearer token of the admin routes
//	WINNOW_SECRET            key of the hashes used for rate limits
//	WINNOW_CALLBACK_SECRET   key CRM callbacks are signed with
//	WINNOW_ORIGIN            the site's origin, e.g. https://winnow.example
//	WINNOW_WEBHOOK_URL       a JSON webhook target, signed with
//	WINNOW_WEBHOOK_SECRET
//	WINNOW_HUBSPOT_TOKEN     a HubSpot private app token: contacts are kept up to date
//	WINNOW_HUBSPOT_URL       the contacts upsert endpoint (default HubSpot's own)
//	WINNOW_HUBSPOT_SECRET    the HubSpot app's client secret, which signs its webhooks
//	WINNOW_INTEGRATIONS      tokens of systems posting signals, as name:token,name:token
//	WINNOW_RATE_PER_IP       submissions per IP per window (default 20; -1: no limit)
//	WINNOW_RATE_PER_EMAIL    submissions per email per window (default 5; -1: no limit)
//	WINNOW_RATE_WINDOW       the window, e.g. 10m
//	WINNOW_WEBHOOK_ATTEMPTS  deliveries before a webhook is dead (default 8)
//	WINNOW_WEBHOOK_RETRY     the first wait before a retry, doubling after (default 30s)
//	WINNOW_TRUSTED_PROXIES   the proxies in front of a native server, e.g. 127.0.0.1,10.0.0.0/8
//	                         (ParseTrustedProxies; see Config.TrustedProxies)
//	WINNOW_ACCESS_TEAM       the Cloudflare Access team in front of /admin, e.g. acme
//	WINNOW_ACCESS_AUD        the audience tag of its Access application
//	WINNOW_ACCESS_DEFAULT_ROLE  the role of someone Access lets in without an account:
//	                         viewer or sales; unset: refused (Config.AccessDefaultRole)
//	WINNOW_ACCESS_CERTS_URL  for tests: where the team's keys are fetched, on loopback
//	WINNOW_CLOCK_OFFSET      for tests: moves the clock, e.g. 6h (Config.ClockOffset)
//
// and the channels the owners of leads are told through (Config.Channels;
// what they are told is content/routing.yaml's alerts):
//
//	WINNOW_ALERT_SLACK_URL      a Slack-compatible incoming webhook (Slack, Mattermost,
//	                            Rocket.Chat); a team may name its own variable (slack:
//	                            in routing.yaml, such as WINNOW_ALERT_SLACK_AE)
//	WINNOW_ALERT_WEBHOOK_URL    a JSON webhook of the alerts (topics alert.*), signed with
//	WINNOW_ALERT_WEBHOOK_SECRET
//	WINNOW_EMAIL_API_KEY        a Resend API key: each alert is emailed to its person,
//	WINNOW_EMAIL_FROM           from this sender, e.g. Winnow <alerts@winnow.example>
//	WINNOW_EMAIL_API_URL        for tests and development only: where the email API is
//	                            (default Resend's, notify.ResendAPI)
//
// Unset variables leave c as it is.
func (c *Config) FromEnv(get func(string) string) error {
	set := func(dst *string, name string) {
		if v := get(name); v != "" {
			*dst = v
		}
	}
	set(&c.AdminToken, "WINNOW_ADMIN_TOKEN")
	set(&c.Secret, "WINNOW_SECRET")
	set(&c.CallbackSecret, "WINNOW_CALLBACK_SECRET")
	set(&c.Origin, "WINNOW_ORIGIN")
	c.Origin = strings.TrimSuffix(c.Origin, "/")
	if u := get("WINNOW_WEBHOOK_URL"); u != "" {
		c.Targets = append(c.Targets, crm.Target{Name: "webhook", Kind: crm.KindJSON, URL: u, Secret: get("WINNOW_WEBHOOK_SECRET")})
	}
	if tok := get("WINNOW_HUBSPOT_TOKEN"); tok != "" {
		u := get("WINNOW_HUBSPOT_URL")
		if u == "" {
			u = crm.HubSpotUpsert
		}
		c.Targets = append(c.Targets, crm.Target{Name: "hubspot", Kind: crm.KindHubSpot, URL: u, Token: tok})
	}
	set(&c.HubSpotSecret, "WINNOW_HUBSPOT_SECRET")
	set(&c.AccessTeam, "WINNOW_ACCESS_TEAM")
	set(&c.AccessAUD, "WINNOW_ACCESS_AUD")
	set(&c.AccessDefaultRole, "WINNOW_ACCESS_DEFAULT_ROLE")
	set(&c.AccessCertsURL, "WINNOW_ACCESS_CERTS_URL")
	var errs []error
	c.Env = get
	if u := get("WINNOW_ALERT_SLACK_URL"); u != "" {
		c.Channels = append(c.Channels, notify.Channel{Name: "alert-slack", Kind: notify.KindSlack, URL: u})
	}
	if u := get("WINNOW_ALERT_WEBHOOK_URL"); u != "" {
		c.Channels = append(c.Channels, notify.Channel{Name: "alert-webhook", Kind: notify.KindWebhook, URL: u,
			Secret: get("WINNOW_ALERT_WEBHOOK_SECRET")})
	}
	if key := get("WINNOW_EMAIL_API_KEY"); key != "" {
		u := get("WINNOW_EMAIL_API_URL")
		if u == "" {
			u = notify.ResendAPI
		}
		from := get("WINNOW_EMAIL_FROM")
		if from == "" {
			errs = append(errs, errors.New("WINNOW_EMAIL_FROM: the sender of the alerts' emails is needed with WINNOW_EMAIL_API_KEY, e.g. Winnow <alerts@winnow.example>"))
		}
		c.Channels = append(c.Channels, notify.Channel{Name: "alert-email", Kind: notify.KindEmail, URL: u, Key: key, From: from})
	}
	if v := get("WINNOW_CLOCK_OFFSET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, errors.New("WINNOW_CLOCK_OFFSET: "+strconv.Quote(v)+" is not a duration such as 6h"))
		}
		c.ClockOffset = d
	}
	if v := get("WINNOW_INTEGRATIONS"); v != "" {
		c.Integrations = map[string]string{}
		for _, pair := range strings.Split(v, ",") {
			name, tok, ok := strings.Cut(strings.TrimSpace(pair), ":")
			if !ok || name == "" || len(tok) < 16 || name == "winnow" || name == "visitor" {
				errs = append(errs, errors.New("WINNOW_INTEGRATIONS: "+strconv.Quote(pair)+" is not name:token (a token of 16 characters or more)"))
				continue
			}
			c.Integrations[name] = tok
		}
	}
	num := func(dst *int, name string) {
		if v := get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, errors.New(name+": not a whole number: "+strconv.Quote(v)))
				return
			}
			*dst = n
		}
	}
	num(&c.Limits.PerIP, "WINNOW_RATE_PER_IP")
	num(&c.Limits.PerEmail, "WINNOW_RATE_PER_EMAIL")
	num(&c.Limits.MaxAttempts, "WINNOW_WEBHOOK_ATTEMPTS")
	if v := get("WINNOW_WEBHOOK_RETRY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, errors.New("WINNOW_WEBHOOK_RETRY: not a positive duration: "+strconv.Quote(v)))
		} else {
			c.Limits.RetryBase = d
		}
	}
	if v := get("WINNOW_RATE_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			errs = append(errs, errors.New("WINNOW_RATE_WINDOW: not a duration of a second or more: "+strconv.Quote(v)))
		} else {
			c.Limits.Window = d
		}
	}
	if v := get("WINNOW_TRUSTED_PROXIES"); v != "" {
		p, err := ParseTrustedProxies(v)
		if err != nil {
			errs = append(errs, errors.New("WINNOW_TRUSTED_PROXIES: "+err.Error()))
		} else {
			c.TrustedProxies = p
		}
	}
	return errors.Join(errs...)
}

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes
// (10.0.0.0/8, fd00::/8) and addresses (127.0.0.1, ::1: one address each),
// for Config.TrustedProxies.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if ip, err := netip.ParseAddr(s); err == nil {
			ip = ip.Unmap()
			out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
		} else {
			return nil, errors.New(strconv.Quote(s) + " is neither a CIDR prefix such as 10.0.0.0/8 nor an address")
		}
	}
	return out, nil
}
