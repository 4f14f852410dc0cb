package graph

// Oblast is one of Ukraine's first-level units: an oblast, Crimea, Kyiv or
// Sevastopol, with the codes and names that the data sources give it.
type Oblast struct {
	// Code is the ISO 3166-2 code, the Region.Code of its municipalities.
	Code string
	// NameEN and NameUK name it in English and in Ukrainian.
	NameEN, NameUK string
	// AdjectiveUK is the Ukrainian adjective by which the KSE hromada
	// table names it ("Львівська").
	AdjectiveUK string
	// KATOTTG is the two digits its KATOTTG codes start with, GeoNames its
	// admin1 code: both number the oblasts differently from ISO 3166-2.
	KATOTTG, GeoNames string
}

// Oblasts lists Ukraine's oblasts, Crimea, Kyiv and Sevastopol.
var Oblasts = []Oblast{
	{"UA-05", "Vinnytsia Oblast", "Вінницька область", "Вінницька", "05", "23"},
	{"UA-07", "Volyn Oblast", "Волинська область", "Волинська", "07", "24"},
	{"UA-09", "Luhansk Oblast", "Луганська область", "Луганська", "44", "14"},
	{"UA-12", "Dnipropetrovsk Oblast", "Дніпропетровська область", "Дніпропетровська", "12", "04"},
	{"UA-14", "Donetsk Oblast", "Донецька область", "Донецька", "14", "05"},
	{"UA-18", "Zhytomyr Oblast", "Житомирська область", "Житомирська", "18", "27"},
	{"UA-21", "Zakarpattia Oblast", "Закарпатська область", "Закарпатська", "21", "25"},
	{"UA-23", "Zaporizhzhia Oblast", "Запорізька область", "Запорізька", "23", "26"},
	{"UA-26", "Ivano-Frankivsk Oblast", "Івано-Франківська область", "Івано-Франківська", "26", "06"},
	{"UA-30", "Kyiv", "Київ", "Київ", "80", "12"},
	{"UA-32", "Kyiv Oblast", "Київська область", "Київська", "32", "13"},
	{"UA-35", "Kirovohrad Oblast", "Кіровоградська область", "Кіровоградська", "35", "10"},
	{"UA-40", "Sevastopol", "Севастополь", "Севастополь", "85", "20"},
	{"UA-43", "Autonomous Republic of Crimea", "Автономна Республіка Крим", "Автономна Республіка Крим", "01", "11"},
	{"UA-46", "Lviv Oblast", "Львівська область", "Львівська", "46", "15"},
	{"UA-48", "Mykolaiv Oblast", "Миколаївська область", "Миколаївська", "48", "16"},
	{"UA-51", "Odesa Oblast", "Одеська область", "Одеська", "51", "17"},
	{"UA-53", "Poltava Oblast", "Полтавська область", "Полтавська", "53", "18"},
	{"UA-56", "Rivne Oblast", "Рівненська область", "Рівненська", "56", "19"},
	{"UA-59", "Sumy Oblast", "Сумська область", "Сумська", "59", "21"},
	{"UA-61", "Ternopil Oblast", "Тернопільська область", "Тернопільська", "61", "22"},
	{"UA-63", "Kharkiv Oblast", "Харківська область", "Харківська", "63", "07"},
	{"UA-65", "Kherson Oblast", "Херсонська область", "Херсонська", "65", "08"},
	{"UA-68", "Khmelnytskyi Oblast", "Хмельницька область", "Хмельницька", "68", "09"},
	{"UA-71", "Cherkasy Oblast", "Черкаська область", "Черкаська", "71", "01"},
	{"UA-74", "Chernihiv Oblast", "Чернігівська область", "Чернігівська", "74", "02"},
	{"UA-77", "Chernivtsi Oblast", "Чернівецька область", "Чернівецька", "73", "03"},
}

// OblastByCode returns the oblast with the ISO 3166-2 code and whether
// there is one.
func OblastByCode(code string) (Oblast, bool) {
	for _, o := range Oblasts {
		if o.Code == code {
			return o, true
		}
	}
	return Oblast{}, false
}
