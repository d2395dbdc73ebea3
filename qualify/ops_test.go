package qualify

import "testing"

// TestSignatures holds the tables of ops.go to what the checkers assume:
// every operation has a signature, operands are listed without gaps, and
// a function's signature types at least one operand when it repeats one.
func TestSignatures(t *testing.T) {
	for op := OpNumber; op <= OpOr; op++ {
		if s := signatureOf(op); s.form == formInvalid {
			t.Errorf("operation %d has no signature", op)
		}
	}
	if s := signatureOf(OpOr + 1); s.form != formInvalid {
		t.Errorf("an operation past OpOr has a signature: %+v", s)
	}
	check := func(what string, s *signature) {
		t.Helper()
		n := s.arity()
		for _, k := range s.args[n:] {
			if k != 0 {
				t.Errorf("%s: operands after an empty set: %v", what, s.args)
			}
		}
		switch s.form {
		case formArgs:
			if n == 0 && s.vararg {
				t.Errorf("%s repeats an operand but types none", what)
			}
		case formCompare:
			if n != 2 || s.args[0] != s.args[1] {
				t.Errorf("%s compares operands of different kinds: %v", what, s.args)
			}
		case formMember:
			if n != 1 {
				t.Errorf("%s: %d sets of kinds for the value, want 1", what, n)
			}
		}
		if s.vararg && s.form != formArgs {
			t.Errorf("%s repeats an operand but is not formArgs", what)
		}
	}
	for op := range signatures {
		check(opText[op], &signatures[op])
	}
	for i := range builtins {
		b := &builtins[i]
		if b.form != formArgs {
			t.Errorf("function %s: form %d, want formArgs", b.name, b.form)
		}
		if builtinIndex(b.name) != i {
			t.Errorf("function %s is not found at its index %d", b.name, i)
		}
		check(b.name, &b.signature)
	}
}

func TestComparisonMessages(t *testing.T) {
	for _, c := range []struct {
		k    Kind
		want string
	}{{KindBool, "== and !="}, {KindString, "== and !="}, {KindNumber, "==, !=, <, <=, > and >="}, {KindTime, ""}} {
		if got := comparisons(c.k); got != c.want {
			t.Errorf("comparisons(%d) = %q, want %q", c.k, got, c.want)
		}
	}
	if got, want := kindsString(listable), "text, a number or a choice"; got != want {
		t.Errorf("kindsString(listable) = %q, want %q", got, want)
	}
}
