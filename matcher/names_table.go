package matcher

import "strings"

// Name parts that are too common to identify anyone on their own. A
// match on Muhammad or Ali says little; a match on a rare family name says
// much. Spellings are folded to phonetic keys and skeletons at start, so
// one spelling of each name covers its transliterations.
const (
	commonTier1 = 0.35
	commonTier2 = 0.6
)

var tier1Names = strings.Fields(`
muhammad mohammed mohamed mohammad muhammed mohamad mehmet mehmed mamadou
ahmad ahmed ahmet ali hasan hassan husayn hussein husain hussain abd abu allah
ibrahim khan shah syed sayed sayyid said saeed abdi
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo
kim lee ri yi park pak choi choe jung jong kang cho yoon nguyen tran le pham
singh kumar
john james robert michael william david
`)

var tier2Names = strings.Fields(`
mahmud mahmoud mustafa umar omar usman uthman osman yusuf youssef ismail
khalid khaled walid salim salem saleh salih nasser nasir jamal karim rashid
hamid hamed majid tariq zaid ziad faisal fahd nabil samir sami adel adil aziz
rahman rahim qadir kader jabbar ghafoor hakim latif malik mansur yahya zakaria
musa isa issa yaqub idris ilyas harun sulayman suleiman dawud daud bakr bakar
hamza anwar amin amir bilal jafar hadi hafiz hashim jalal kamal khalil mahdi
mubarak munir nur noor qasim sadiq saif sayf sharif tahir tawfiq yasin yunus
fatima aisha khadija maryam zainab mohamud farah din uddin ullah rasul
abdallah mullah muhammadi hamad nasrallah ghulam habib haji rahmatullah
aleksandr alexander sergey sergei vladimir andrey andrei aleksey alexei
dmitry dmitri ivan nikolay nikolai mikhail yuri yuriy viktor victor igor oleg
pavel anatoly yevgeny evgeny gennady konstantin maksim roman denis artem
ruslan rustam timur anna elena olga natalya tatyana irina svetlana yekaterina
ivanov petrov smirnov kuznetsov popov sokolov lebedev kozlov novikov morozov
volkov ivanova petrova
peter paul mark george joseph jose juan carlos luis jorge pedro miguel maria
jean pierre michel hans karl thomas richard charles daniel mary
smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez gonzalez wilson anderson taylor
patel sharma das ram lal prasad devi
`)

// givenNameGroups are the forms one given name takes across languages and
// in its short forms. They meet at a slightly lower score than a spelling
// variant does.
var givenNameGroups = [][]string{
	strings.Fields("john juan jean johann johannes hans jan giovanni ivan ioannis yahya joao sean jon jack johnny ian ioan jovan"),
	strings.Fields("joseph jose josef giuseppe yusuf iosif joe youssef yosef osip"),
	strings.Fields("michael mikhail michel miguel michele mikael mike mihail mykhailo"),
	strings.Fields("peter pyotr pierre pedro pietro petr piotr petro pete"),
	strings.Fields("paul pablo paolo pavel paulo pavlo"),
	strings.Fields("alexander aleksandr alejandro alessandro alexandre iskandar alex sasha oleksandr aleksander alexandros"),
	strings.Fields("george georgy jorge giorgio georges georgios jurgen jiri heorhiy"),
	strings.Fields("jacob jakob yakov yaqub jacques giacomo jaime james jim jimmy diego"),
	strings.Fields("william bill billy will willy wilhelm guillaume guillermo guglielmo"),
	strings.Fields("robert bob bobby rob roberto robbie"),
	strings.Fields("richard rick dick ricardo riccardo"),
	strings.Fields("thomas tom tommy tomas tomasz foma"),
	strings.Fields("theodore ted teddy theo fyodor fedor teodoro todor"),
	strings.Fields("benjamin ben benny bibi binyamin veniamin"),
	strings.Fields("edward ed eddie ted eduardo eduard"),
	strings.Fields("charles charlie chuck carlos carl karl carlo karol"),
	strings.Fields("stephen steven steve stefan esteban stephane stepan istvan"),
	strings.Fields("nicholas nick nikolai nikolay nicolas nicola mykola niko"),
	strings.Fields("andrew andy andrei andrey andres andre andreas andriy"),
	strings.Fields("daniel dan danny daniil danilo danial"),
	strings.Fields("david dave davud dawud davit daud"),
	strings.Fields("abraham ibrahim avraham abram"),
	strings.Fields("moses musa moshe moises moise"),
	strings.Fields("solomon sulayman suleiman suleyman shlomo salomon"),
	strings.Fields("jonah jonas yunus younis yunis"),
	strings.Fields("job ayyub ayub eyup"),
	strings.Fields("elias ilyas elijah ilya ilias"),
	strings.Fields("zachary zakariya zakaria zacharias zakhar"),
	strings.Fields("mary maria maryam marie miriam mariya masha"),
	strings.Fields("catherine ekaterina yekaterina katherine kate katya caterina"),
	strings.Fields("elizabeth liz beth elisabeth yelizaveta"),
	strings.Fields("helen elena yelena helena ellen"),
	strings.Fields("vladimir volodymyr volodya wladimir vova"),
	strings.Fields("dmitry dmitri dmytro dimitri"),
	strings.Fields("sergey serhiy sergei serge sergio sergiy"),
	strings.Fields("alexey aleksei oleksiy alexei"),
	strings.Fields("yevgeny yevhen eugene evgeni eugen"),
	strings.Fields("gregory grigory hryhoriy gregorio gregoire"),
	strings.Fields("oleg oleh"),
	strings.Fields("igor ihor"),
	strings.Fields("olga olha"),
	strings.Fields("yuri yuriy yury jurij"),
	strings.Fields("anatoly anatoliy anatolii"),
	strings.Fields("christopher chris kristopher christoph"),
	strings.Fields("anthony tony antonio anton antoine"),
	strings.Fields("francis frank francisco francesco franz francois"),
	strings.Fields("henry harry heinrich enrique henri enrico"),
	strings.Fields("lawrence larry lorenzo laurent lavrenty"),
	strings.Fields("matthew matt matthias mateo matteo matvey"),
	strings.Fields("patrick pat patricio"),
	strings.Fields("samuel sam samuil"),
	strings.Fields("timothy tim timofey"),
	strings.Fields("margaret maggie peggy margarita"),
	strings.Fields("susan sue suzanne susanna"),
	strings.Fields("rebecca becky rivka"),
	strings.Fields("isaac ishaq isaak itzhak"),
	strings.Fields("jesus isa eesa"),
	strings.Fields("aaron harun haroun"),
	strings.Fields("noah nuh"),
	strings.Fields("adam adem"),
	strings.Fields("gabriel jibril jibreel gavriil"),
	strings.Fields("joshua yeshua yusha"),
}

// Token kinds whose weight does not come from rarity.
var (
	articles   = set("al el ul il")
	sunArticle = set("ad ar as at az an ash ath adh ud ur us ut uz un ed er es et ez en esh ath")
	connectors = set("bin ibn bn ben bint binti bte ould wuld walad ibnu oglu ogly ogli uly kyzy qizi gizi")
	euParticle = set("van von der den de la le du da di dos das del della des het ten ter zu af y")
	titles     = set(`mr mrs ms miss dr prof sheikh shaykh sheik shaikh haji hajji hadji alhaj alhaji
		mullah mulla molla maulana mawlana maulvi mawlawi moulavi qari mufti imam general gen colonel col
		major maj captain capt lt lieutenant sir lord dame hon rev reverend father brother sister emir
		commander cmdr brigadier marshal admiral sgt sergeant ayatollah hojatoleslam president minister
		prime king prince princess queen mufti senator governor mayor judge`)
	arabicArticles   = set("ال")
	arabicConnectors = set("بن ابن إبن بنت ولد")
	suffixes         = set("jr jnr junior sr snr senior")
	cyrConnectors    = set("бин ибн бинт оглы оглу кызы углы")
	cyrArticles      = set("аль ал эль")
	// Organisation words: legal forms weigh little, and are folded to one
	// spelling so that Limited and Ltd meet; stop words weigh nothing.
	legalForms = map[string]string{
		"ltd": "ltd", "limited": "ltd", "llc": "llc", "inc": "inc", "incorporated": "inc",
		"corp": "corp", "corporation": "corp", "co": "co", "company": "co", "plc": "plc",
		"ag": "ag", "aktiengesellschaft": "ag", "gmbh": "gmbh", "sa": "sa", "sas": "sas", "sarl": "sarl",
		"srl": "srl", "spa": "spa", "bv": "bv", "nv": "nv", "kg": "kg", "lp": "lp", "llp": "llp",
		"jsc": "jsc", "ojsc": "ojsc", "cjsc": "cjsc", "pjsc": "pjsc", "oao": "ojsc", "zao": "cjsc",
		"ooo": "llc", "pao": "pjsc", "ao": "jsc", "tov": "llc", "pt": "pt", "tbk": "tbk", "bhd": "bhd",
		"sdn": "sdn", "pty": "pty", "pvt": "pvt", "ab": "ab", "as": "as", "asa": "asa", "oy": "oy",
		"kk": "kk", "se": "se", "lda": "lda", "ltda": "ltda", "sae": "sae", "fze": "fze", "fzco": "fzco",
		"fzc": "fzc", "dmcc": "dmcc", "wll": "wll", "establishment": "est", "est": "est",
		"sp": "sp", "zoo": "llc", "spzoo": "llc", "ano": "ano", "fgup": "fgup", "gup": "gup", "mup": "mup",
		"nao": "nao", "pte": "pte", "doo": "llc", "dd": "dd", "ad": "ad", "ead": "ead", "eood": "llc",
		"holding": "holding", "holdings": "holding", "group": "group", "international": "intl",
		"intl": "intl", "trading": "trading", "enterprise": "enterprise", "enterprises": "enterprise",
	}
	legalPhrases = [][2]string{
		{"open joint stock company", "ojsc"}, {"closed joint stock company", "cjsc"},
		{"public joint stock company", "pjsc"}, {"joint stock company", "jsc"},
		{"limited liability company", "llc"}, {"limited liability partnership", "llp"},
		{"public limited company", "plc"}, {"societe anonyme", "sa"}, {"sociedad anonima", "sa"},
		{"gesellschaft mit beschrankter haftung", "gmbh"}, {"limited partnership", "lp"},
		{"p l c", "plc"}, {"l l c", "llc"}, {"l p", "lp"}, {"s a", "sa"}, {"s r l", "srl"},
		{"societatea cu raspundere limitata", "srl"}, {"private limited", "pvt ltd"},
		{"obshchestvo s ogranichennoi otvetstvennostiu", "llc"},
		{"aktsionernoe obshchestvo", "jsc"},
	}
	orgStop = set("the of and for und et de des du la le der die das y e i a an at in on by to")
)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

type nameTables struct {
	weightByKey  map[string]float64
	weightBySkel map[string]float64
	groupsByKey  map[string][]uint16
}

var tables = func() *nameTables {
	t := &nameTables{
		weightByKey:  map[string]float64{},
		weightBySkel: map[string]float64{},
		groupsByKey:  map[string][]uint16{},
	}
	add := func(list []string, w float64) {
		for _, n := range list {
			for _, k := range latinKeys(n) {
				if old, ok := t.weightByKey[k]; !ok || w < old {
					t.weightByKey[k] = w
				}
				sk := skeleton(k)
				if old, ok := t.weightBySkel[sk]; !ok || w < old {
					t.weightBySkel[sk] = w
				}
			}
		}
	}
	add(tier2Names, commonTier2)
	add(tier1Names, commonTier1)
	for i, g := range givenNameGroups {
		for _, n := range g {
			for _, k := range latinKeys(n) {
				if !containsU16(t.groupsByKey[k], uint16(i+1)) {
					t.groupsByKey[k] = append(t.groupsByKey[k], uint16(i+1))
				}
			}
		}
	}
	return t
}()

func containsU16(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
