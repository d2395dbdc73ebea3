//go:build !js

package worker

import (
	"net/http"
	"time"
)

func defaultClient() Doer { return &http.Client{Timeout: 10 * time.Second} }
