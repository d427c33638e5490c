package matcher

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A deterministic generator of watchlist-like people: Arabic, Russian,
// Central Asian, Chinese, Korean, Western and African names, in Latin and
// in their own scripts, with dates of birth, nationalities and documents.
// Family names get a long tail of made-up ones so that the index sees as
// many distinct words as a real list of a million does.

var (
	genArabicGiven = strings.Fields(`Muhammad Mohammed Mohamed Ahmad Ahmed Ali Hassan Hussein Omar Umar Khalid
		Abdullah Abdulrahman Abdelaziz Ibrahim Yusuf Youssef Mustafa Mahmoud Tariq Walid Said Saeed Hamza Bilal
		Karim Nabil Samir Sami Adel Jamal Rashid Hamid Majid Faisal Fahd Nasser Salim Saleh Anwar Amin Amir
		Ismail Idris Yahya Zakaria Musa Isa Suleiman Dawud Bakr Osama Usama Ayman Marwan Ziad Hisham Tawfiq`)
	genArabicFamily = strings.Fields(`al-Masri al-Tikriti al-Rawi al-Ani al-Dulaimi al-Zawahiri al-Baghdadi
		al-Qahtani al-Ghamdi al-Shehri al-Harbi al-Otaibi al-Shammari al-Juburi al-Obeidi al-Hashimi Haqqani
		Mansour Khalil Haddad Nasrallah Darwish Barakat Saleh Hamdan Qasim Jaber Suleiman Azzam Zaidan Nofal`)
	genArabicScriptGiven  = strings.Fields(`محمد أحمد علي حسن حسين عمر خالد عبدالله عبدالرحمن إبراهيم يوسف مصطفى محمود طارق وليد سعيد حمزة بلال كريم سامي عادل جمال رشيد حامد فيصل ناصر سليم صالح أنور أسامة أيمن مروان زياد هشام`)
	genArabicScriptFamily = strings.Fields(`المصري التكريتي الراوي العاني الدليمي الظواهري البغدادي القحطاني الغامدي الشهري الحربي العتيبي الشمري الجبوري العبيدي الهاشمي حقاني منصور خليل حداد نصرالله درويش بركات حمدان قاسم جابر سليمان عزام زيدان`)
	genRuGiven            = strings.Fields(`Александр Сергей Владимир Андрей Алексей Дмитрий Иван Николай Михаил Юрий Виктор Игорь Олег Павел Евгений Рустам Тимур Руслан Анна Елена Ольга Наталья Татьяна Ирина Светлана Мария`)
	genRuFamily           = strings.Fields(`Иванов Петров Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов Волков Абдуллаев Алиев Мамедов Хасанов Каримов Юсупов Рахимов Исмаилов Гусейнов Умаров Кадыров Басаев Шамилев`)
	genRuPatronymic       = strings.Fields(`Александрович Сергеевич Владимирович Андреевич Иванович Николаевич Михайлович Викторович Рустамович Ахмедович`)
	genCnFamily           = strings.Fields(`Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo`)
	genCnGiven            = strings.Fields(`Wei Fang Min Jing Lei Jun Yong Jie Tao Ming Chao Hui Qiang Ping Gang Hong Xiu Ying Hua Bin`)
	genKoFamily           = strings.Fields(`Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Ri Pak Choe Han`)
	genKoGiven            = strings.Fields(`Min-jun Seo-yeon Ji-ho Ha-eun Jong-un Yong-chol Myong-sik Chol-ho Kwang-il Song-nam`)
	genWestGiven          = strings.Fields(`John James Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda Maria Jose Juan Carlos Luis Pierre Jean Michel Hans Karl Peter Paul Anna Sophie Lucas`)
	genWestFamily         = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Taylor Martin Dubois Lefebvre Muller Schmidt Schneider Fischer Weber Rossi Russo Bianchi`)
	genAfricanGiven       = strings.Fields(`Abdi Abdikadir Mamadou Ousmane Moussa Boubacar Amadou Ibrahima Aliyu Musa Yusuf Emeka Chinedu Kwame Kofi`)
	genAfricanFamily      = strings.Fields(`Diallo Traore Keita Coulibaly Toure Ba Sow Barry Camara Farah Warsame Mohamud Abubakar Okafor Mensah`)
	genSyllables          = strings.Fields(`ka ri mo na ta le si ba do ru mi ko sa ne to vi ga lo de hu za fi be ro ma ni se ku ya li jo ha`)
	genNationalities      = strings.Fields(`IQ SY AF PK SA YE EG LY SO RU UZ TJ KZ AZ CN KP KR US GB FR DE ES IT NG ML SD TN DZ MA JO LB`)
)

type generator struct {
	r *rand.Rand
}

func newGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *generator) pick(l []string) string { return l[g.r.IntN(len(l))] }

// tail makes a family name of two to four syllables, capitalised.
func (g *generator) tail(suffix string) string {
	var b strings.Builder
	n := 2 + g.r.IntN(3)
	for i := 0; i < n; i++ {
		b.WriteString(g.pick(genSyllables))
	}
	s := b.String() + suffix
	return strings.ToUpper(s[:1]) + s[1:]
}

// person returns a generated record with the given ID.
func (g *generator) person(id string) Record {
	r := Record{ID: id, Tag: "gen", Schema: "Person"}
	switch k := g.r.IntN(100); {
	case k < 30: // Arab
		family := g.pick(genArabicFamily)
		if g.r.IntN(2) == 0 {
			family = "al-" + g.tail("i")
		}
		r.Names = append(r.Names, g.pick(genArabicGiven)+" "+g.pick(genArabicGiven)+" "+family)
		if g.r.IntN(3) == 0 {
			r.Names = append(r.Names, g.pick(genArabicScriptGiven)+" "+g.pick(genArabicScriptGiven)+" "+g.pick(genArabicScriptFamily))
		}
		if g.r.IntN(4) == 0 {
			r.Names = append(r.Names, "Abu "+g.pick(genArabicGiven))
		}
	case k < 50: // Russian, Caucasus, Central Asia
		given, family, patr := g.pick(genRuGiven), g.pick(genRuFamily), g.pick(genRuPatronymic)
		if g.r.IntN(2) == 0 {
			family = g.tail("ов")
			family = strings.Map(latinToCyr, family)
		}
		r.Names = append(r.Names, family+" "+given+" "+patr, Transliterate(given+" "+family))
	case k < 65: // Chinese, Korean
		if g.r.IntN(2) == 0 {
			r.Names = append(r.Names, g.pick(genCnFamily)+" "+g.pick(genCnGiven)+strings.ToLower(g.pick(genCnGiven)))
		} else {
			r.Names = append(r.Names, g.pick(genKoFamily)+" "+g.pick(genKoGiven))
		}
	case k < 85: // Western
		family := g.pick(genWestFamily)
		if g.r.IntN(2) == 0 {
			family = g.tail("")
		}
		r.Names = append(r.Names, g.pick(genWestGiven)+" "+family)
	default: // African
		family := g.pick(genAfricanFamily)
		if g.r.IntN(2) == 0 {
			family = g.tail("")
		}
		r.Names = append(r.Names, g.pick(genAfricanGiven)+" "+g.pick(genAfricanGiven)+" "+family)
	}
	y := 1940 + g.r.IntN(66)
	switch g.r.IntN(4) {
	case 0:
		r.BirthDates = []string{fmt.Sprint(y)}
	case 1:
		r.BirthDates = []string{fmt.Sprintf("%d~", y)}
	default:
		r.BirthDates = []string{fmt.Sprintf("%d-%02d-%02d", y, 1+g.r.IntN(12), 1+g.r.IntN(28))}
	}
	r.Nationalities = []string{g.pick(genNationalities)}
	if g.r.IntN(2) == 0 {
		r.Gender = "male"
	} else {
		r.Gender = "female"
	}
	if g.r.IntN(3) == 0 {
		r.Documents = []string{fmt.Sprintf("%c%c%07d", 'A'+g.r.IntN(26), 'A'+g.r.IntN(26), g.r.IntN(10000000))}
	}
	return r
}

var cyrOfLatin = map[rune]rune{'a': 'а', 'b': 'б', 'd': 'д', 'e': 'е', 'f': 'ф', 'g': 'г', 'h': 'х', 'i': 'и', 'j': 'й', 'k': 'к', 'l': 'л', 'm': 'м', 'n': 'н', 'o': 'о', 'r': 'р', 's': 'с', 't': 'т', 'u': 'у', 'v': 'в', 'y': 'ы', 'z': 'з', 'K': 'К', 'R': 'Р', 'M': 'М', 'N': 'Н', 'T': 'Т', 'L': 'Л', 'S': 'С', 'B': 'Б', 'D': 'Д', 'V': 'В', 'G': 'Г', 'H': 'Х', 'Z': 'З', 'F': 'Ф', 'Y': 'Ы', 'J': 'Й'}

func latinToCyr(r rune) rune {
	if c, ok := cyrOfLatin[r]; ok {
		return c
	}
	return r
}

// perturb returns a name as another source might write it: another
// transliteration, a typo, words reordered, a word dropped.
func (g *generator) perturb(name string) string {
	words := strings.Fields(name)
	switch g.r.IntN(5) {
	case 0: // transliterated (no-op for Latin)
		return Transliterate(name)
	case 1: // a typo in the longest word
		li := 0
		for i, w := range words {
			if len([]rune(w)) > len([]rune(words[li])) {
				li = i
			}
		}
		rs := []rune(words[li])
		if len(rs) > 4 {
			i := 1 + g.r.IntN(len(rs)-2)
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
		words[li] = string(rs)
	case 2: // reordered
		g.r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	case 3: // a word dropped
		if len(words) > 2 {
			i := g.r.IntN(len(words))
			words = append(words[:i], words[i+1:]...)
		}
	}
	return strings.Join(words, " ")
}
