package matcher

import ("testing"; "fmt")

func TestScratch(t *testing.T) {
	for _, s := range []string{"Абдуллаев", "Abdullaev", "Abdoullaev", "Abdullayev", "Abdullajew", "محمد", "Mohammed", "Muhammad", "Mohamed", "Usama", "Oussama", "Osama", "Ussama", "أسامة", "Хрущёв", "Chruščëv", "Khrushchev", "Chrouchtchev", "Chruschtschow", "Сергій", "Евгений", "Yevgeny", "Jewgeni", "Evgueni", "عبدالرحمن", "Abdulrahman", "Abdurrahman", "Abd al-Rahman", "حسين", "Hussein", "Hassan", "Παπαδόπουλος", "ប៉ុល ពត", "习近平", "Xi Jinping"} {
		fmt.Printf("%-16s translit=%-22q key=%-22q skel=%q variants=%q\n", s, Transliterate(s), Key(s), Skeleton(s), Variants(s))
	}
	for _, p := range [][2]string{{"Usama bin Ladin", "Osama bin Laden"}, {"أسامة بن لادن", "Usama bin Laden"}, {"Абдуллаев Рустам", "Rustam Abdoullaev"}, {"Frank Richter", "Frederik Richter"}, {"Vladimir Putin", "PUTIN, Vladimir Vladimirovich"}, {"Sergey Viktorovich Lavrov", "Sergey Ivanevich LAVROV"}, {"محمد", "Mohamed"}, {"حسين", "Hassan"}, {"حسين", "Husayn"}, {"Abdul Rahman", "Abdulrahman"}, {"صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI"}} {
		r := CompareNames(p[0], p[1])
		fmt.Printf("%q vs %q: %.3f %s\n", p[0], p[1], r.Score, r.Detail)
	}
}
