package ctis_test

import (
	"testing"

	"ctis"
)

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"fr": "FR", "Iraq": "IQ", "Syrian Arab Republic": "SY", "Iran (Islamic Republic of)": "IR",
		"Democratic Republic of the Congo": "CD", "Congo": "CG", "Russian Federation": "RU", "Türkiye": "TR",
		"United Kingdom of Great Britain and Northern Ireland": "GB", "Viet Nam": "VN", "State of Palestine": "PS",
		"Democratic People's Republic of Korea": "KP", "China, Hong Kong Special Administrative Region": "HK",
		"Afghanistan": "AF", "Bosnia and Herzegovina": "BA", "Trinidad and Tobago": "TT", "saudi  arabia": "SA",
		"GBR": "GB", "deu": "DE", "D": "DE", "GBD": "GB", "IRQ": "IQ", "RKS": "XK",
	} {
		if got, ok := ctis.CountryCode(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "ZZ", "former Soviet Union", "Atlantis", "XXA", "UNO", "ZZZ", "EUE", "XXX"} {
		if got, ok := ctis.CountryCode(in); ok {
			t.Errorf("%q resolved to %q", in, got)
		}
	}
}
