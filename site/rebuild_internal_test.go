package site

import (
	"reflect"
	"testing"
	"time"

	"github.com/winnowhq/winnow/internal/content"
	"github.com/winnowhq/winnow/qualify"
)

// TestSigFields checks that the hash of a page and of a glossary
// document changes with every one of their fields: a Rebuilder would not
// render again a page whose edit changed only a field the hash missed.
func TestSigFields(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		hash func(v any) uint64
	}{
		{reflect.TypeFor[content.Page](), func(v any) uint64 { p := v.(content.Page); return sum(func(h *sig) { h.page(&p) }) }},
		{reflect.TypeFor[content.Doc](), func(v any) uint64 { d := v.(content.Doc); return sum(func(h *sig) { h.doc(&d) }) }},
	} {
		zero := c.hash(reflect.New(c.typ).Elem().Interface())
		for i := range c.typ.NumField() {
			f := c.typ.Field(i)
			v := reflect.New(c.typ).Elem()
			v.Field(i).Set(nonZero(t, f.Type))
			if c.hash(v.Interface()) == zero {
				t.Errorf("the hash of a %s misses its field %s", c.typ, f.Name)
			}
		}
	}
}

func sum(write func(h *sig)) uint64 {
	var h sig
	h.SetSeed(seed)
	write(&h)
	return h.Sum64()
}

// nonZero returns a value of type typ other than its zero value.
func nonZero(t *testing.T, typ reflect.Type) reflect.Value {
	v := reflect.New(typ).Elem()
	switch {
	case typ == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Unix(1, 0)))
	case typ == reflect.TypeFor[qualify.Pos]():
		v.Set(reflect.ValueOf(qualify.Pos{File: "x"}))
	case typ.Kind() == reflect.String:
		v.SetString("x")
	case typ.Kind() == reflect.Bool:
		v.SetBool(true)
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Int64:
		v.SetInt(1)
	case typ.Kind() >= reflect.Uint && typ.Kind() <= reflect.Uint64:
		v.SetUint(1)
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf([]string{"x"}).Convert(typ))
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.Uint8:
		v.SetBytes([]byte("x"))
	default:
		t.Fatalf("no value to try for a field of type %s: teach nonZero", typ)
	}
	return v
}
