package ctis

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// iso3166 holds every ISO 3166-1 alpha-2 code, plus XK (Kosovo, the
// user-assigned code in general use by European and UN bodies).
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK"

var countries = func() map[string]bool {
	m := make(map[string]bool, 250)
	for _, c := range strings.Fields(iso3166) {
		m[c] = true
	}
	return m
}()

// ValidCountry reports whether s is an upper-case ISO 3166-1 alpha-2 code.
func ValidCountry(s string) bool { return countries[s] }

// officialNames are United Nations official short names (and other forms
// found in UN documents) that differ from the common English names.
var officialNames = map[string]string{
	"syrian arab republic": "SY", "iran (islamic republic of)": "IR", "russian federation": "RU",
	"democratic republic of the congo": "CD", "congo": "CG", "democratic people's republic of korea": "KP",
	"republic of korea": "KR", "united kingdom of great britain and northern ireland": "GB", "united kingdom": "GB",
	"united states of america": "US", "united states": "US", "viet nam": "VN", "türkiye": "TR", "turkey": "TR",
	"state of palestine": "PS", "united republic of tanzania": "TZ", "bolivia (plurinational state of)": "BO",
	"venezuela (bolivarian republic of)": "VE", "lao people's democratic republic": "LA", "republic of moldova": "MD",
	"micronesia (federated states of)": "FM", "china, hong kong special administrative region": "HK",
	"china, macao special administrative region": "MO", "côte d'ivoire": "CI", "cote d'ivoire": "CI",
	"british virgin islands": "VG", "brunei darussalam": "BN", "cabo verde": "CV", "czechia": "CZ", "eswatini": "SZ",
	"holy see": "VA", "north macedonia": "MK", "timor-leste": "TL", "kosovo": "XK", "netherlands": "NL",
	"gambia": "GM", "bahamas": "BS", "philippines": "PH", "sudan": "SD", "south sudan": "SS", "myanmar": "MM",
}

var countryNames = func() map[string]string {
	m := make(map[string]string, 600)
	regions := display.English.Regions()
	for code := range countries {
		if r, err := language.ParseRegion(code); err == nil {
			if name := regions.Name(r); name != "" {
				m[countryKey(name)] = code
			}
		}
	}
	for name, code := range officialNames {
		m[name] = code
	}
	return m
}()

// icaoCodes are the ICAO Doc 9303 nationality codes of travel documents
// that are not ISO 3166-1 alpha-3 codes. The codes of organisations,
// stateless persons and refugees (UNO, XXA, XXB…) name no country.
var icaoCodes = map[string]string{"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK"}

// CountryCode resolves an ISO 3166-1 alpha-2 or alpha-3 code or an ICAO
// travel-document code, in any case, or an English country name — the
// common one or the United Nations official one, such as "Syrian Arab
// Republic" — to its alpha-2 code.
func CountryCode(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if ValidCountry(c) {
		return c, true
	}
	if a2, ok := icaoCodes[c]; ok {
		return a2, true
	}
	if len(c) == 3 {
		if r, err := language.ParseRegion(c); err == nil && r.IsCountry() && ValidCountry(r.String()) {
			return r.String(), true
		}
	}
	c, ok := countryNames[countryKey(s)]
	return c, ok
}

var countryKeyReplacer = strings.NewReplacer("&", " and ", "’", "'")

func countryKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(countryKeyReplacer.Replace(name))), " ")
}
