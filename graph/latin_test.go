package graph

import (
	"testing"
	"unicode/utf8"
)

func TestLatinName(t *testing.T) {
	for _, tc := range []struct {
		script string
		cases  []struct{ in, country, want string }
	}{
		{"Greek", []struct{ in, country, want string }{
			{"Αθήνα", "GR", "Athina"},
			{"Θεσσαλονίκη", "GR", "Thessaloniki"},
			{"Πάτρα", "GR", "Patra"},
			{"Ηράκλειο", "GR", "Irakleio"},
			{"Καλαμπάκα", "GR", "Kalampaka"}, // μπ inside a word is mp
			{"Ευρυτανία", "GR", "Evrytania"}, // ευ before a voiced consonant
			{"Ναύπλιο", "GR", "Nafplio"},     // αυ before a voiceless one
			{"Αυλώνας", "GR", "Avlonas"},
			{"Ελευσίνα", "GR", "Elefsina"},
			{"Λαύριο", "GR", "Lavrio"},
			{"Εύβοια", "GR", "Evvoia"},
			{"Πειραιάς", "GR", "Peiraias"},
			{"Χανιά", "GR", "Chania"},
			{"Ιωάννινα", "GR", "Ioannina"},
			{"Ξάνθη", "GR", "Xanthi"},
			{"Ζάκυνθος", "GR", "Zakynthos"},
			{"Κέρκυρα", "GR", "Kerkyra"},
			{"Ψαχνά", "GR", "Psachna"},
			{"Ύδρα", "GR", "Ydra"},
			{"Μεσολόγγι", "GR", "Mesolongi"},                // γγ
			{"Αγκίστρι", "GR", "Agkistri"},                  // γκ inside a word
			{"Γκούρα", "GR", "Goura"},                       // γκ at the start
			{"Κοινότητα Μπράλου", "GR", "Koinotita Bralou"}, // μπ at the start
			{"Ηγουμενίτσα", "GR", "Igoumenitsa"},
			{"Ταΰγετος", "GR", "Taygetos"}, // the diaeresis parts α and υ
			{"Αχαΐας", "GR", "Achaias"},
			{"Κοινότητα Κομοτηνής", "GR", "Koinotita Komotinis"},
			{"Άγιος Αθανάσιος (Δράμας)", "GR", "Agios Athanasios (Dramas)"},
			{"ΑΘΗΝΑ", "GR", "ATHINA"},
			{"ΘΕΣΣΑΛΟΝΙΚΗ", "GR", "THESSALONIKI"},
			{"Λευκωσία", "CY", "Lefkosia"},
			{"Λεμεσός", "CY", "Lemesos"},
			{"Λάρνακα", "CY", "Larnaka"},
			{"Πάφος", "CY", "Pafos"},
			{"Αμμόχωστος", "CY", "Ammochostos"},
			{"Παραλίμνι", "CY", "Paralimni"},
			{"Αγία Νάπα", "CY", "Agia Napa"},
			{"Άγιος Δομέτιος", "CY", "Agios Dometios"},
			{"Στρόβολος", "CY", "Strovolos"},
			{"Κερύνεια", "CY", "Keryneia"},
			{"Πόλις Χρυσοχούς", "CY", "Polis Chrysochous"},
			{"Έγκωμη", "CY", "Egkomi"},
			{"Ευρύχου", "CY", "Evrychou"},
			{"Μπογάζι", "CY", "Bogazi"},
			{"Αθήνα", "", "Athina"}, // Greek script is read as Greek anywhere
		}},
		{"Bulgarian", []struct{ in, country, want string }{
			{"София", "BG", "Sofia"}, // -ия at the end of a word
			{"Пловдив", "BG", "Plovdiv"},
			{"Варна", "BG", "Varna"},
			{"Бургас", "BG", "Burgas"},
			{"Русе", "BG", "Ruse"},
			{"Стара Загора", "BG", "Stara Zagora"},
			{"Благоевград", "BG", "Blagoevgrad"},
			{"Търговище", "BG", "Targovishte"},
			{"Велико Търново", "BG", "Veliko Tarnovo"},
			{"Шумен", "BG", "Shumen"},
			{"Хасково", "BG", "Haskovo"},
			{"Ямбол", "BG", "Yambol"},
			{"Пазарджик", "BG", "Pazardzhik"},
			{"Кърджали", "BG", "Kardzhali"},
			{"Кюстендил", "BG", "Kyustendil"},
			{"Смолян", "BG", "Smolyan"},
			{"Враца", "BG", "Vratsa"},
			{"Айтос", "BG", "Aytos"},
			{"Гоце Делчев", "BG", "Gotse Delchev"},
			{"Провадия", "BG", "Provadia"},
			{"Долна Митрополия", "BG", "Dolna Mitropolia"},
			{"Девня", "BG", "Devnya"},
			{"ВЕЛИКО ТЪРНОВО", "BG", "VELIKO TARNOVO"},
			{"СОФИЯ", "BG", "SOFIA"},
		}},
		{"Macedonian", []struct{ in, country, want string }{
			{"Скопје", "MK", "Skopje"},
			{"Битола", "MK", "Bitola"},
			{"Куманово", "MK", "Kumanovo"},
			{"Охрид", "MK", "Ohrid"},
			{"Прилеп", "MK", "Prilep"},
			{"Тетово", "MK", "Tetovo"},
			{"Штип", "MK", "Shtip"},
			{"Струмица", "MK", "Strumica"},
			{"Гевгелија", "MK", "Gevgelija"},
			{"Кочани", "MK", "Kochani"},
			{"Кичево", "MK", "Kichevo"},
			{"Ѓорче Петров", "MK", "Gjorche Petrov"},
			{"Кавадарци", "MK", "Kavadarci"},
			{"Џепчиште", "MK", "Dzhepchishte"},
			{"Желино", "MK", "Zhelino"},
			{"Шуто Оризари", "MK", "Shuto Orizari"},
			{"Ѕвегор", "MK", "Dzvegor"},
			{"Љубојно", "MK", "Ljubojno"},
			{"Брвеница", "MK", "Brvenica"},
		}},
		{"Serbian", []struct{ in, country, want string }{
			{"Београд", "RS", "Beograd"},
			{"Ниш", "RS", "Niš"},
			{"Крагујевац", "RS", "Kragujevac"},
			{"Нови Сад", "RS", "Novi Sad"},
			{"Суботица", "RS", "Subotica"},
			{"Зрењанин", "RS", "Zrenjanin"},
			{"Панчево", "RS", "Pančevo"},
			{"Чачак", "RS", "Čačak"},
			{"Краљево", "RS", "Kraljevo"},
			{"Ћуприја", "RS", "Ćuprija"},
			{"Шабац", "RS", "Šabac"},
			{"Ужице", "RS", "Užice"},
			{"Инђија", "RS", "Inđija"},
			{"Сремска Митровица", "RS", "Sremska Mitrovica"},
			{"Подгорица", "ME", "Podgorica"},
			{"Никшић", "ME", "Nikšić"},
			{"Херцег Нови", "ME", "Herceg Novi"},
			{"Бања Лука", "BA", "Banja Luka"},
			{"Бијељина", "BA", "Bijeljina"},
			{"ЉУБОВИЈА", "RS", "LJUBOVIJA"},
		}},
		{"Russian and Belarusian", []struct{ in, country, want string }{
			{"Москва", "RU", "Moskva"},
			{"Санкт-Петербург", "RU", "Sankt-Peterburg"},
			{"Нижний Новгород", "RU", "Nizhniy Novgorod"},
			{"Екатеринбург", "RU", "Yekaterinburg"},
			{"Ейск", "RU", "Yeysk"},
			{"Орёл", "RU", "Orel"},
			{"Ярославль", "RU", "Yaroslavl"},
			{"Хабаровск", "RU", "Khabarovsk"},
			{"Сыктывкар", "RU", "Syktyvkar"},
			{"Элиста", "RU", "Elista"},
			{"Щёлково", "RU", "Shchelkovo"},
			{"Объячево", "RU", "Obyachevo"},
			{"Мінск", "BY", "Minsk"},
			{"Гомель", "BY", "Homyel"},
			{"Магілёў", "BY", "Mahilyow"},
			{"Віцебск", "BY", "Vitsyebsk"},
			{"Гродна", "BY", "Hrodna"},
			{"Брэст", "BY", "Brest"},
			{"Маладзечна", "BY", "Maladzyechna"},
			{"Бабруйск", "BY", "Babruysk"},
		}},
		{"Ukrainian and others", []struct{ in, country, want string }{
			{"Київ", "UA", "Kyiv"},
			{"Львів", "UA", "Lviv"},
			{"Запоріжжя", "UA", "Zaporizhzhia"},
			{"Кам'янець-Подільський", "UA", "Kamianets-Podilskyi"},
			{"Біла Церква", "UA", "Bila Tserkva"},
			{"Щорс", "UA", "Shchors"},
			{"Мариуполь", "UA", "Maryupol"}, // a Russian spelling: и by the Ukrainian table
			{"Подъячево", "UA", "Podiachevo"},
			{"Алматы", "KZ", "Almaty"},
			{"Қарағанды", "KZ", "Qaraghandy"},
			{"Кишинэу", "MD", "Kishineu"},
			{"Ниш", "", "Nish"}, // no country: the Russian table
		}},
		{"Latin, case, punctuation and decomposed text", []struct{ in, country, want string }{
			{"Kraków", "PL", "Kraków"},
			{"Flensburg, Stadt", "DE", "Flensburg, Stadt"},
			{"", "GR", ""},
			{"Ш", "BG", "Sh"},
			{"ЩЩ", "BG", "SHTSHT"},
			{"Шумен-Север", "BG", "Shumen-Sever"},
			{"Ямбол, община", "BG", "Yambol, obshtina"},
			{"Λευκωσία - Nicosia", "CY", "Lefkosia - Nicosia"},
			{"Αθη\u0301να", "GR", "Athina"},      // NFD: α, η, combining acute
			{"Ταυ\u0308γετος", "GR", "Taygetos"}, // NFD diaeresis still parts α and υ
			{"Маи\u0306ор", "RU", "Mayor"},       // NFD й
			{"Ἀθῆναι", "GR", "Athinai"},          // polytonic
			{"ϐϑϕ", "GR", "vthf"},                // letter variants
			{"12 Άγιοι Ανάργυροι", "GR", "12 Agioi Anargyroi"},
		}},
	} {
		for _, c := range tc.cases {
			if got := LatinName(c.in, c.country); got != c.want {
				t.Errorf("%s: LatinName(%q, %q) = %q, want %q", tc.script, c.in, c.country, got, c.want)
			}
		}
	}
}

func TestLatinNameKeepsUkrainianRomanize(t *testing.T) {
	for _, s := range []string{"Зґурський", "Їжакевич", "Єнакієве", "Юрій", "Олександрія", "Ужгород"} {
		if got, want := LatinName(s, "UA"), Romanize(s); got != want {
			t.Errorf("LatinName(%q, UA) = %q, Romanize gives %q", s, got, want)
		}
	}
}

func FuzzLatinName(f *testing.F) {
	for _, s := range []string{"Αθήνα", "Ευρυτανία", "ΜΠΑΛΙ", "София", "Ѓорче Петров", "Ниш", "Київ", "Орёл", "ϐ\u0301ᲀ", "Ἀθῆναι", "\xff\xfeΑ"} {
		for _, c := range []string{"GR", "BG", "MK", "RS", "UA", "RU", "BY", ""} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, name, country string) {
		got := LatinName(name, country)
		if !utf8.ValidString(got) {
			t.Fatalf("LatinName(%q, %q) = %q, not valid UTF-8", name, country, got)
		}
		for _, r := range got {
			if isGreekOrCyrillicLetter(r) {
				t.Fatalf("LatinName(%q, %q) = %q holds %q", name, country, got, r)
			}
		}
	})
}
