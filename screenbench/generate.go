package screenbench

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// generator makes repeatable people with names in Latin, Arabic, Cyrillic
// and Chinese script, realistic dates of birth and nationalities.
type generator struct {
	rng                       *rand.Rand
	arabic, cyrillic          []string
	latinGiven, latinFamily   []string
	arabicGiven, russianGiven []string
	hanFamily, hanGiven       []string
}

var (
	latinGiven = strings.Fields(`James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda
		Elizabeth Barbara Susan Jessica Sarah Karen Pierre Jean Michel Philippe Alain Nathalie Isabelle Sylvie Hans Peter Klaus Jürgen
		Wolfgang Ursula Monika Petra Giuseppe Marco Giovanni Francesca Chiara José Antonio Manuel Carmen Lucía Jan Piotr Anna Katarzyna
		Lars Erik Ingrid Sven Mehmet Mustafa Ayşe Fatma Emre Kwame Amina Chinedu Ngozi Oluwaseun Thabo Lindiwe`)
	latinFamily = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Martin Bernard Dubois Thomas
		Robert Richard Petit Durand Leroy Moreau Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Rossi Russo Ferrari
		Esposito Bianchi García Fernández González Rodríguez López Martínez Kowalski Nowak Wiśniewski Johansson Andersson Nilsson
		Yılmaz Kaya Demir Şahin Çelik Mensah Boateng Okafor Adeyemi Nkosi Dlamini Kovačević Horvat Novák Dvořák Papadopoulos`)
	arabicGiven = strings.Fields(`محمد أحمد علي حسن حسين عمر خالد يوسف إبراهيم عبدالله عبدالرحمن مصطفى سعيد طارق ياسر كريم فاطمة
		عائشة مريم زينب خديجة سارة ليلى نور هدى سلمى`)
	russianGiven = strings.Fields(`Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Николай Владимир Ольга Елена
		Наталья Татьяна Ирина Анна Мария Светлана Юлия Тимур Руслан Рустам Азамат Бахтиёр Нурлан Айдар Фарход`)
	hanFamily = strings.Fields(`王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹`)
	hanGiven  = []string(strings.Split(`伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红金春晓海燕雪梅林琳晨欣怡嘉宇浩然子轩雨涵梓萱俊博思源天佑凯瑞鑫泽一鸣佳琪婷颖慧荣昊宏亮东鹏飞永安宁德光德胜丹彤诗雅`, ""))

	latinNationalities    = strings.Fields(`US GB FR DE IT ES PL SE TR NG GH ZA HR CZ GR BR CA AU NL BE`)
	arabicNationalities   = strings.Fields(`SA EG JO IQ SY LB MA DZ TN YE LY SD AE KW QA OM BH PS`)
	cyrillicNationalities = strings.Fields(`RU KZ UZ KG TJ BY UA AZ AM GE`)
	hanNationalities      = strings.Fields(`CN TW SG MY HK`)
)

// person is a generated subject.
type person struct {
	name, birthDate, nationality, gender string
}

func newGenerator(seed uint64) (*generator, error) {
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), latinGiven: latinGiven, latinFamily: slices.Clone(latinFamily),
		arabicGiven: arabicGiven, russianGiven: russianGiven, hanFamily: hanFamily, hanGiven: hanGiven}
	// Arabic-script, Cyrillic and Latin name tokens of many origins, from
	// the transliteration corpora: a real watchlist has many more family
	// names than a short list would give.
	var err error
	if g.arabic, err = column("ar2en-train.txt", 0, false); err != nil {
		return nil, err
	}
	latin, err := column("ar2en-train.txt", 1, false)
	if err != nil {
		return nil, err
	}
	for _, n := range latin {
		r := []rune(n)
		g.latinFamily = append(g.latinFamily, strings.ToUpper(string(r[:1]))+string(r[1:]))
	}
	if g.cyrillic, err = column("wd_russian_20", 1, true); err != nil {
		return nil, err
	}
	return g, nil
}

// column reads one tab-separated column of a corpus; spaced letters
// ("с и р а н и") are joined when join is set.
func column(name string, col int, join bool) ([]string, error) {
	b, err := data.ReadFile("testdata/" + name)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) <= col {
			continue
		}
		v := f[col]
		if join {
			v = strings.ReplaceAll(v, " ", "")
		}
		if len([]rune(v)) >= 3 {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no names", name)
	}
	return out, nil
}

func (g *generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// person returns the next generated person: 40% Latin, 30% Arabic, 20%
// Cyrillic and 10% Chinese names.
func (g *generator) person() person {
	p := person{gender: []string{"male", "female"}[g.rng.IntN(2)]}
	switch r := g.rng.IntN(10); {
	case r < 4:
		p.name = g.pick(g.latinGiven) + " " + g.pick(g.latinFamily)
		if g.rng.IntN(4) == 0 {
			p.name = g.pick(g.latinGiven) + " " + p.name
		}
		p.nationality = g.pick(latinNationalities)
	case r < 7:
		p.name = g.pick(g.arabicGiven) + " " + g.pick(g.arabic) + " " + g.pick(g.arabic)
		p.nationality = g.pick(arabicNationalities)
	case r < 9:
		// Family–given–patronymic, as Cyrillic lists write it.
		p.name = g.pick(g.cyrillic) + " " + g.pick(g.russianGiven)
		if g.rng.IntN(2) == 0 {
			p.name += " " + g.pick(g.russianGiven) + "ович"
		}
		p.nationality = g.pick(cyrillicNationalities)
	default:
		p.name = g.pick(g.hanFamily) + g.pick(g.hanGiven)
		if g.rng.IntN(2) == 0 {
			p.name += g.pick(g.hanGiven)
		}
		p.nationality = g.pick(hanNationalities)
	}
	year := 1945 + g.rng.IntN(62)
	if g.rng.IntN(5) == 0 {
		p.birthDate = fmt.Sprintf("%d", year) // only the year is known
	} else {
		p.birthDate = fmt.Sprintf("%d-%02d-%02d", year, 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	}
	return p
}

// Person is a generated, fictitious person: a name in its own script
// (Latin, Arabic, Cyrillic or Chinese), a date of birth or only its
// year, an ISO 3166 nationality and a gender.
type Person struct {
	Name, BirthDate, Nationality, Gender string
}

// People makes repeatable fictitious persons, as this benchmark makes its
// watchlist and its queries, for other benchmarks to load and screen.
type People struct{ g *generator }

// NewPeople returns the persons of seed: the same seed gives the same
// persons in the same order.
func NewPeople(seed uint64) (*People, error) {
	g, err := newGenerator(seed)
	if err != nil {
		return nil, err
	}
	return &People{g: g}, nil
}

// Next returns the next person.
func (p *People) Next() Person {
	q := p.g.person()
	return Person{Name: q.name, BirthDate: q.birthDate, Nationality: q.nationality, Gender: q.gender}
}
