package qualify

// The signatures of the rule language's operations and functions: what
// each takes and what it yields. Both type checkers read them, Check
// (which explains what is wrong with a rule from content) and resolve
// (which only tells whether a rule read from canonical text is valid), so
// that they cannot disagree on a signature: a new operation or function
// is typed by one row here, and needs besides only its syntax and its
// evaluation.

// opForm is how an operation's operands are typed.
type opForm uint8

const (
	formInvalid opForm = iota
	formLiteral        // no operands: a value of the result's kind
	formName           // a name, resolved against the model and the rule's context
	formCall           // a function call, typed by the function's row in builtins
	formArgs           // operand i of a kind args[i] holds
	formCompare        // two operands of one type, of a kind args[0] holds
	formMember         // a value of a kind args[0] holds, then literals of its kind (text for a choice) or the name of a list of text
)

// kinds is a set of Kinds: bit k holds Kind k.
type kinds uint8

func (s kinds) has(k Kind) bool { return s&(1<<k) != 0 }

// Sets of kinds that operands take.
const (
	conditions = kinds(1 << KindBool)
	numbers    = kinds(1 << KindNumber)
	texts      = kinds(1 << KindString)
	dates      = kinds(1 << KindTime)
	anyKind    = conditions | numbers | texts | dates | 1<<KindEnum
	equatable  = anyKind &^ dates      // all but dates, which days_since turns into numbers
	ordered    = numbers | 1<<KindEnum // options in the order their field lists them, grades worst first
	listable   = texts | numbers | 1<<KindEnum
)

// operands holds the kinds each operand may have, as many sets as there
// are operands: a zero set ends them. No operation or function takes more
// than two yet.
type operands [2]kinds

// A signature says what an operation or a function takes and what it
// yields.
type signature struct {
	form   opForm
	args   operands
	vararg bool // formArgs: the last operand repeats, at least once
	result Kind
}

// signatures holds the signature of each operation.
var signatures = [...]signature{
	OpNumber: {form: formLiteral, result: KindNumber},
	OpString: {form: formLiteral, result: KindString},
	OpTrue:   {form: formLiteral, result: KindBool},
	OpFalse:  {form: formLiteral, result: KindBool},
	OpName:   {form: formName},
	OpCall:   {form: formCall},
	OpNeg:    {form: formArgs, args: operands{numbers}, result: KindNumber},
	OpAdd:    {form: formArgs, args: operands{numbers, numbers}, result: KindNumber},
	OpSub:    {form: formArgs, args: operands{numbers, numbers}, result: KindNumber},
	OpEq:     {form: formCompare, args: operands{equatable, equatable}, result: KindBool},
	OpNe:     {form: formCompare, args: operands{equatable, equatable}, result: KindBool},
	OpLt:     {form: formCompare, args: operands{ordered, ordered}, result: KindBool},
	OpLe:     {form: formCompare, args: operands{ordered, ordered}, result: KindBool},
	OpGt:     {form: formCompare, args: operands{ordered, ordered}, result: KindBool},
	OpGe:     {form: formCompare, args: operands{ordered, ordered}, result: KindBool},
	OpIn:     {form: formMember, args: operands{listable}, result: KindBool},
	OpNotIn:  {form: formMember, args: operands{listable}, result: KindBool},
	OpNot:    {form: formArgs, args: operands{conditions}, result: KindBool},
	OpAnd:    {form: formArgs, args: operands{conditions, conditions}, result: KindBool},
	OpOr:     {form: formArgs, args: operands{conditions, conditions}, result: KindBool},
}

// signatureOf returns the signature of op: formInvalid if it has none.
func signatureOf(op Op) *signature {
	if int(op) < len(signatures) {
		return &signatures[op]
	}
	return &signatures[OpInvalid]
}

// arity returns how many operands s takes (at least, if vararg).
func (s *signature) arity() int {
	n := 0
	for n < len(s.args) && s.args[n] != 0 {
		n++
	}
	return n
}

// literalKind is the kind of the literals a value of kind k is compared
// with in a list: a choice's options are written as text.
func literalKind(k Kind) Kind {
	if k == KindEnum {
		return KindString
	}
	return k
}

type builtin uint8

const (
	bKnown builtin = iota
	bCount
	bDaysSince
	bDomain
	bFreeEmail // bFreeEmail, bDisposableEmail and bGibberish stay in this order: Evaluate memoises them by offset
	bDisposableEmail
	bGibberish
	bLinks
	bLen
	bContains
	bStartsWith
	bEndsWith
)

type builtinSpec struct {
	name string
	signature
}

// builtins holds the functions rules call, with their signatures.
var builtins = [...]builtinSpec{
	bKnown:           {"known", signature{form: formArgs, args: operands{anyKind}, result: KindBool}},                 // the value is known (a field answered, a signal recorded)
	bCount:           {"count", signature{form: formArgs, args: operands{anyKind}, vararg: true, result: KindNumber}}, // how many of the conditions hold; a value that is not a condition counts when known
	bDaysSince:       {"days_since", signature{form: formArgs, args: operands{dates}, result: KindNumber}},            // whole days from a date or signal to now
	bDomain:          {"domain", signature{form: formArgs, args: operands{texts}, result: KindString}},                // the lower-case domain of an email address
	bFreeEmail:       {"free_email", signature{form: formArgs, args: operands{texts}, result: KindBool}},              // the email address (or domain) belongs to a free mail provider
	bDisposableEmail: {"disposable_email", signature{form: formArgs, args: operands{texts}, result: KindBool}},        // the email address (or domain) belongs to a disposable-address service
	bGibberish:       {"gibberish", signature{form: formArgs, args: operands{texts}, result: KindBool}},               // the text looks like keyboard mashing rather than words
	bLinks:           {"links", signature{form: formArgs, args: operands{texts}, result: KindNumber}},                 // how many web links the text holds
	bLen:             {"len", signature{form: formArgs, args: operands{texts}, result: KindNumber}},                   // the length of the text in characters
	bContains:        {"contains", signature{form: formArgs, args: operands{texts, texts}, result: KindBool}},         // the text holds the second text, ignoring case (Latin, Greek, Cyrillic)
	bStartsWith:      {"starts_with", signature{form: formArgs, args: operands{texts, texts}, result: KindBool}},      // the text starts with the second text, ignoring case
	bEndsWith:        {"ends_with", signature{form: formArgs, args: operands{texts, texts}, result: KindBool}},        // the text ends with the second text, ignoring case
}

// builtinIndex returns the index in builtins of the function called name,
// or -1.
func builtinIndex(name string) int {
	for i := range builtins {
		if builtins[i].name == name {
			return i
		}
	}
	return -1
}
