package matcher

import "testing"

// Name structure: particles, compounds, initials, order, missing and
// extra words, patronymics, and names across scripts.
func TestCompareNames(t *testing.T) {
	tests := []struct {
		a, b  string
		match bool
	}{
		// Transliteration and spelling.
		{"Usama bin Ladin", "Osama bin Laden", true},
		{"Usama bin Laden", "أسامة بن لادن", true},
		{"Muammar Qaddafi", "Moammar Gadhafi", true},
		{"Vladimir Putin", "Владимир Путин", true},
		{"Rustam Abdoullaev", "Абдуллаев Рустам", true},
		{"Mikhail Khodorkovsky", "Michail Chodorkowski", true},
		{"SADDAM HUSSEIN AL-TIKRITI", "صدام حسين التكريتي", true},
		{"Olaf Scholz", "Olaf Scholze", true},
		// Particles kept or dropped.
		{"Ayman al-Zawahiri", "Ayman Zawahiri", true},
		{"Sirajuddin Haqqani", "Siraj ud-Din Haqqani", true},
		{"Abu Bakr al-Baghdadi", "Abubakar Baghdadi", true},
		{"Mohammed ould Salahi", "Mohamedou Ould Slahi", true},
		// Joined and split.
		{"Abdulrahman Yasin", "Abdul Rahman Yasin", true},
		{"Abdelaziz Bouteflika", "Abd al-Aziz Bouteflika", true},
		{"Walijan", "ولی جان", true},
		// Order, family name first, a comma.
		{"Putin Vladimir", "Vladimir Putin", true},
		{"PUTIN, Vladimir Vladimirovich", "Vladimir Putin", true},
		{"Иванов Сергей Петрович", "Sergei Ivanov", true},
		// Missing and extra parts.
		{"Sergey Lavrov", "Sergey Viktorovich Lavrov", true},
		{"Akhtar Mansour", "Akhtar Mohammad Mansour Shah Mohammed", true},
		{"Walijan", "Walijan Abdul Ghafoor Haqqani", false},
		// Initials.
		{"J. Smith", "John Smith", true},
		{"Aaron A. Wendt", "Josh A. Wendt", false},
		{"N.N.", "Nursultan Nazarbayev", false},
		// Another person.
		{"Frank Richter", "Frederik Richter", false},
		{"Bashar al-Assad", "Hafez al-Assad", false},
		{"Sergey Viktorovich Lavrov", "Sergey Ivanovich Lavrov", false}, // another father
		{"Salman bin Muhammad al-Rawi", "Muhammad bin Salman al-Rawi", false},
		{"Hassan Nasrallah", "Hussein Nasrallah", false},
		{"حسين", "Hassan", false},
		{"Ali", "Ola", false},
		{"Mark Zuckerberg", "Mark Zuckermann", false},
		{"Olga Baranova", "Oleg Baranov", false},
		{"Kim Jong-un", "Kim Jong-il", false},
		{"김정은", "김종은", false},
	}
	for _, tt := range tests {
		r := CompareNames(tt.a, tt.b)
		if got := r.Score >= DefaultThreshold; got != tt.match {
			t.Errorf("CompareNames(%q, %q) = %.2f (%s), want match %v", tt.a, tt.b, r.Score, r.Detail, tt.match)
		}
		if r.Score < 0 || r.Score > 1 {
			t.Errorf("CompareNames(%q, %q) = %v, out of [0,1]", tt.a, tt.b, r.Score)
		}
	}
}

// Rare words count more than common ones: a shared family name says more
// than a shared Muhammad.
func TestRarity(t *testing.T) {
	common := CompareNames("Muhammad Karimov", "Muhammad Petrenko")
	rare := CompareNames("Rustam Haqqani", "Ilyas Haqqani")
	if common.Score >= rare.Score {
		t.Errorf("sharing Muhammad scored %.2f, sharing Haqqani %.2f", common.Score, rare.Score)
	}
	a, b := analyzeTerm("muhammad"), analyzeTerm("zawahiri")
	if a.weight >= b.weight {
		t.Errorf("weight of muhammad %.2f ≥ zawahiri %.2f", a.weight, b.weight)
	}
}

func TestOrganisations(t *testing.T) {
	tests := []struct {
		a, b  string
		match bool
	}{
		{"Siemens AG", "Siemens Aktiengesellschaft", true},
		{"OAO Gazprom", "Open Joint Stock Company Gazprom", true},
		{"ABC Company", "A.B.C. Co.", true},
		{"Three Percenters", "3 Percenters", true},
		{"ООО Байкал", "Baikal LLC", true},
		{"Al-Qa'ida/Islamic Army", "Al Qaeda", true},
		{"Volkswagen AG", "Siemens AG", false},
	}
	for _, tt := range tests {
		m := Compare(Query{Name: tt.a, Schema: "Organization"}, Record{ID: "x", Schema: "Organization", Names: []string{tt.b}})
		if got := m.Score >= DefaultThreshold; got != tt.match {
			t.Errorf("%q ~ %q = %.2f (%s), want match %v", tt.a, tt.b, m.Score, m.Components[0].Detail, tt.match)
		}
	}
}
