//go:build js && wasm

package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"syscall/js"

	"github.com/winnowhq/winnow/worker"
)

var (
	uint8Array = js.Global().Get("Uint8Array")
	jsString   = js.Global().Get("String")
)

// d1Batch runs statements with D1's batch(): D1 runs them in order as one
// SQL transaction, and when one fails it rolls them all back and the
// promise rejects. The database/sql driver has no transactions, so this
// is how the handler's writes stay atomic at the edge.
func d1Batch(db js.Value) worker.Batch {
	return func(ctx context.Context, stmts []worker.Stmt) error {
		if len(stmts) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		list := make([]any, len(stmts))
		for i, s := range stmts {
			args := make([]any, len(s.Args))
			for j, a := range s.Args {
				v, err := jsArg(a)
				if err != nil {
					return errors.New("d1 batch: statement " + strconv.Itoa(i+1) + ", argument " + strconv.Itoa(j+1) + ": " + err.Error())
				}
				args[j] = v
			}
			list[i] = db.Call("prepare", s.SQL).Call("bind", args...)
		}
		_, err := await(db.Call("batch", list))
		if err != nil {
			return errors.New("d1 batch: " + err.Error())
		}
		return nil
	}
}

// jsArg converts a statement's argument as database/sql would, then to
// what D1's bind() takes: null, a number, a string, a boolean or bytes.
func jsArg(a any) (any, error) {
	v, err := driver.DefaultParameterConverter.ConvertValue(a)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil, int64, float64, bool, string:
		return v, nil
	case []byte:
		b := uint8Array.New(len(v))
		js.CopyBytesToJS(b, v)
		return b, nil
	}
	return nil, errors.New("D1 cannot bind a value of this type (times are passed as Unix milliseconds)")
}

// await waits for a promise to settle and returns its value, or its
// rejection as an error.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: args[0]}
		return nil
	})
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the promise was rejected"
		if len(args) > 0 {
			msg = jsString.Invoke(args[0]).String()
		}
		ch <- settled{err: errors.New(msg)}
		return nil
	})
	defer catch.Release()
	p.Call("then", then, catch)
	s := <-ch
	return s.v, s.err
}
