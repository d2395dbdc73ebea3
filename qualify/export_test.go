package qualify

// ResolvePolish reads a rule's prefix form and resolves it in ctx, as
// Decode does; for the tests outside the package.
func (m *Model) ResolvePolish(src string, ctx Context) (*Expr, bool) {
	e, err := readPolish(src, &arena{})
	if err != "" {
		return nil, false
	}
	return e, m.resolve(e, ctx)
}
