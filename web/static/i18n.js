// Interface text, in i18n.json: under "texts", one entry a key: [English,
// Ukrainian], so that no text lacks its translation; under "regions",
// Ukraine's regions by their ISO 3166-2 codes, in Ukrainian (in English
// the data names them). Reasons inside the API's answers (why a factor
// scored what it did) come from the server in the language asked for.
// The file is fetched (top-level await) rather than imported as a JSON
// module, which browsers of 2024 and before cannot do.
const data = await (await fetch(new URL("./i18n.json", import.meta.url))).json();

// texts are the interface texts by language, then by key.
export const texts = { en: {}, uk: {} };
for (const [k, [en, uk]] of Object.entries(data.texts)) {
  texts.en[k] = en;
  texts.uk[k] = uk;
}
for (const [code, name] of Object.entries(data.regions)) texts.uk["region." + code] = name;
