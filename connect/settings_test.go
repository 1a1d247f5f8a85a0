package connect

import (
	"strings"
	"testing"
	"unicode/utf8"

	"nexo/internal/errs"
)

func TestCheckIBAN(t *testing.T) {
	for _, ok := range []string{"ES9121000418450200051332", "DE89370400440532013000", "GB82WEST12345698765432", "NL91ABNA0417164300"} {
		if why := checkIBAN(ok); why != "" {
			t.Errorf("%s: %s", ok, why)
		}
	}
	for _, bad := range []string{"ES9121000418450200051333", "DE8937040044053201300", "1291ABNA0417164300", "NLX1ABNA0417164300",
		"NL91ABNA04171643-0", "NL91", strings.Repeat("DE89", 10)} {
		if checkIBAN(bad) == "" {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestBankDetailsNormalize(t *testing.T) {
	b := BankDetails{AccountHolder: "  Acme SL ", IBAN: "es91 2100 0418 4502 0005 1332", BIC: " caixesbbxxx", Instructions: "Line one\nLine two"}
	if err := b.normalize(); err != nil {
		t.Fatal(err)
	}
	if b.AccountHolder != "Acme SL" || b.IBAN != "ES9121000418450200051332" || b.BIC != "CAIXESBBXXX" {
		t.Fatalf("normalized: %+v", b)
	}
	bad := BankDetails{AccountHolder: "A\x00", IBAN: "ES00", BIC: "CAIX-ES", BankName: strings.Repeat("x", 141)}
	err := bad.normalize()
	for _, f := range []string{"account_holder", "iban", "bic", "bank_name"} {
		if errs.FieldReason(err, f) == "" {
			t.Errorf("%s not named: %v", f, err)
		}
	}
	if errs.FieldReason((&BankDetails{IBAN: "DE89370400440532013000"}).normalize(), "account_holder") == "" {
		t.Error("an IBAN without a holder was accepted")
	}
}

// FuzzBankDetails is Q1 for PUT /settings/bank-details: any input is
// either refused naming a field or normalized into what the schema holds.
func FuzzBankDetails(f *testing.F) {
	f.Add("Acme", "ES91 2100 0418 4502 0005 1332", "CAIXESBBXXX", "Bank", "Ref")
	f.Add("", "", "", "", "")
	f.Add("\x00", "ZZ00", "x", "\n", "\t")
	f.Fuzz(func(t *testing.T, holder, iban, bic, name, instr string) {
		b := BankDetails{AccountHolder: holder, IBAN: iban, BIC: bic, BankName: name, Instructions: instr}
		err := b.normalize()
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("not a field error: %v", err)
			}
			return
		}
		if utf8.RuneCountInString(b.AccountHolder) > 140 || len(b.IBAN) > 34 || len(b.BIC) > 11 ||
			utf8.RuneCountInString(b.BankName) > 140 || utf8.RuneCountInString(b.Instructions) > 500 {
			t.Fatalf("accepted beyond the schema: %+v", b)
		}
		if b.IBAN != "" && checkIBAN(b.IBAN) != "" {
			t.Fatalf("accepted a bad IBAN %q", b.IBAN)
		}
	})
}
