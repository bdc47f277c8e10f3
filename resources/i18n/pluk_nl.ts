<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl_NL">
<context>
    <name>ConfusionView</name>
    <message>
        <source>&lt;b&gt;{field}&lt;/b&gt;{unit}: both numbers {both}, both empty {empty}, only the reference empty {truth_only}, only the prediction empty {prediction_only}. Mean error (prediction − reference) {mean}. Tolerance {tol}.</source>
        <translation>&lt;b&gt;{field}&lt;/b&gt;{unit}: beide een getal {both}, beide leeg {empty}, alleen de referentie leeg {truth_only}, alleen de voorspelling leeg {prediction_only}. Gemiddelde fout (voorspelling − referentie) {mean}. Tolerantie {tol}.</translation>
    </message>
    <message>
        <source>reference {truth}, prediction {prediction}: {n}</source>
        <translation>referentie {truth}, voorspelling {prediction}: {n}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{field}&lt;/b&gt;: rows are the reference, columns the prediction. Click a cell to list its reports.</source>
        <translation>&lt;b&gt;{field}&lt;/b&gt;: de rijen zijn de referentie, de kolommen de voorspelling. Klik op een cel om de verslagen ervan te tonen.</translation>
    </message>
</context>
<context>
    <name>CoreMessages</name>
    <message>
        <source>empty file (0 bytes)</source>
        <translation>leeg bestand (0 bytes)</translation>
    </message>
    <message>
        <source>{n} field(s) failed validation: {fields}</source>
        <translation>{n} veld(en) niet geldig: {fields}</translation>
    </message>
    <message>
        <source>the model wrote {value}, above the maximum {bound}</source>
        <translation>het model schreef {value}, boven het maximum {bound}</translation>
    </message>
    <message>
        <source>the model wrote {value}, below the minimum {bound}</source>
        <translation>het model schreef {value}, onder het minimum {bound}</translation>
    </message>
    <message>
        <source>{value} is above the maximum {bound} of {field}</source>
        <translation>{value} is hoger dan het maximum {bound} van {field}</translation>
    </message>
    <message>
        <source>{value} is below the minimum {bound} of {field}</source>
        <translation>{value} is lager dan het minimum {bound} van {field}</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>n.v.t.</translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <source>Unexpected error</source>
        <translation>Onverwachte fout</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>ungrounded</source>
        <translation>niet onderbouwd</translation>
    </message>
    <message>
        <source>fuzzy</source>
        <translation>bij benadering</translation>
    </message>
    <message>
        <source>weak</source>
        <translation>zwak</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>letterlijk</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Veld</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Waarde</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Bewijs</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Opmerking</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Waarden</translation>
    </message>
    <message>
        <source>Raw output</source>
        <translation>Ruwe uitvoer</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problemen</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Inlezen</translation>
    </message>
    <message>
        <source>Select a record to see the report beside its values.</source>
        <translation>Kies een regel om het verslag naast de waarden te zien.</translation>
    </message>
    <message>
        <source>{n} prompt tokens</source>
        <translation>{n} prompttokens</translation>
    </message>
    <message numerus="yes">
        <source>%n ungrounded</source>
        <translation>
            <numerusform>%n niet onderbouwd</numerusform>
            <numerusform>%n niet onderbouwd</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n weak</source>
        <translation>
            <numerusform>%n zwak</numerusform>
            <numerusform>%n zwak</numerusform>
        </translation>
    </message>
    <message>
        <source>(the model gave no output for this report)</source>
        <translation>(het model gaf geen uitvoer voor dit verslag)</translation>
    </message>
    <message numerus="yes">
        <source>Thinking: %n token(s) of a {budget}-token budget</source>
        <translation>
            <numerusform>Denken: %n token(s) van een budget van {budget} tokens</numerusform>
            <numerusform>Denken: %n token(s) van een budget van {budget} tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>the budget closed it</source>
        <translation>het budget sloot het af</translation>
    </message>
    <message>
        <source>Answer:</source>
        <translation>Antwoord:</translation>
    </message>
    <message>
        <source>warning: {text}</source>
        <translation>waarschuwing: {text}</translation>
    </message>
    <message>
        <source>No problems.</source>
        <translation>Geen problemen.</translation>
    </message>
    <message>
        <source>Problems ({n})</source>
        <translation>Problemen ({n})</translation>
    </message>
    <message>
        <source>The report text is not available (its input is no longer loaded).</source>
        <translation>De tekst van het verslag is niet beschikbaar (de invoer is niet meer geladen).</translation>
    </message>
    <message>
        <source>No passage of the report supports this value: check it against the text</source>
        <translation>Geen passage in het verslag onderbouwt deze waarde: controleer die aan de hand van de tekst</translation>
    </message>
    <message>
        <source>Only a number that is not next to this field&apos;s words matches: &quot;{quote}&quot;. Check the value against the text</source>
        <translation>Alleen een getal dat niet naast de woorden van dit veld staat komt overeen: &quot;{quote}&quot;. Controleer de waarde aan de hand van de tekst</translation>
    </message>
    <message>
        <source>{k} of {n} answers gave this value</source>
        <translation>{k} van {n} antwoorden gaven deze waarde</translation>
    </message>
</context>
<context>
    <name>EngineBox</name>
    <message>
        <source>Engine</source>
        <translation>Rekenkracht</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>deze computer</translation>
    </message>
    <message>
        <source>a server</source>
        <translation>een server</translation>
    </message>
    <message>
        <source>the first the server lists</source>
        <translation>het eerste dat de server noemt</translation>
    </message>
    <message>
        <source>as the server says</source>
        <translation>zoals de server aangeeft</translation>
    </message>
    <message>
        <source>API key in the OS keyring (service pluk)</source>
        <translation>API-sleutel in de sleutelbos van het systeem (dienst pluk)</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbinding testen</translation>
    </message>
    <message>
        <source>Run the reports on</source>
        <translation>Verslagen verwerken op</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>Serveradres (URL)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Taalmodel</translation>
    </message>
    <message>
        <source>Requests at once</source>
        <translation>Verzoeken tegelijk</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>Verbinden met {server}…</translation>
    </message>
    <message>
        <source>{n} slots</source>
        <translation>{n} plaatsen</translation>
    </message>
    <message>
        <source>slots not reported</source>
        <translation>aantal plaatsen niet opgegeven</translation>
    </message>
    <message>
        <source>Connected: {kind}; models: {count}; {slots}</source>
        <translation>Verbonden: {kind}; modellen: {count}; {slots}</translation>
    </message>
    <message>
        <source>No connection: {reason}</source>
        <translation>Geen verbinding: {reason}</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The run failed</source>
        <translation>De run is mislukt</translation>
    </message>
    <message>
        <source>Something went wrong that Pluk did not expect:

{summary}

The details are in the log file:
{path}</source>
        <translation>Er ging iets mis dat Pluk niet verwachtte:

{summary}

De details staan in het logbestand:
{path}</translation>
    </message>
</context>
<context>
    <name>EvidenceText</name>
    <message>
        <source>The report text appears here.</source>
        <translation>Hier verschijnt de tekst van het verslag.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>Excel workbook (.xlsx)</source>
        <translation>Excel-werkmap (.xlsx)</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Web page with the evidence highlighted (.html)</source>
        <translation>Webpagina met het bewijs gemarkeerd (.html)</translation>
    </message>
    <message>
        <source>REDCap import file (.csv)</source>
        <translation>REDCap-importbestand (.csv)</translation>
    </message>
    <message>
        <source>Castor EDC import file (.csv)</source>
        <translation>Castor EDC-importbestand (.csv)</translation>
    </message>
    <message>
        <source>comma ,</source>
        <translation>komma ,</translation>
    </message>
    <message>
        <source>semicolon ; (Excel with a Dutch or German locale)</source>
        <translation>puntkomma ; (Excel met Nederlandse of Duitse landinstellingen)</translation>
    </message>
    <message>
        <source>tab</source>
        <translation>tab</translation>
    </message>
    <message>
        <source>point: 9.7</source>
        <translation>punt: 9.7</translation>
    </message>
    <message>
        <source>comma: 9,7 (Excel with a Dutch or German locale)</source>
        <translation>komma: 9,7 (Excel met Nederlandse of Duitse landinstellingen)</translation>
    </message>
    <message>
        <source>flatten objects into dotted columns</source>
        <translation>objecten uitvouwen in kolommen met punten</translation>
    </message>
    <message>
        <source>objects as JSON text</source>
        <translation>objecten als JSON-tekst</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>Resultaten exporteren</translation>
    </message>
    <message>
        <source>Export the records of &lt;b&gt;{run}&lt;/b&gt;</source>
        <translation>Exporteer de regels van &lt;b&gt;{run}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Formaat</translation>
    </message>
    <message>
        <source>CSV delimiter</source>
        <translation>CSV-scheidingsteken</translation>
    </message>
    <message>
        <source>Decimal mark</source>
        <translation>Decimaalteken</translation>
    </message>
    <message>
        <source>Nested fields</source>
        <translation>Geneste velden</translation>
    </message>
    <message>
        <source>Reviewed values only (the reports a person reviewed)</source>
        <translation>Alleen beoordeelde waarden (de verslagen die iemand heeft beoordeeld)</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Beoordelingen</translation>
    </message>
    <message>
        <source>Yes/no fields are written as “{yes}” and “{no}”, as the window shows them.</source>
        <translation>Ja/nee-velden worden geschreven als „{yes}” en „{no}”, zoals het venster ze toont.</translation>
    </message>
    <message>
        <source>Save the results</source>
        <translation>Resultaten opslaan</translation>
    </message>
    <message>
        <source>{kind} files (*.{ext})</source>
        <translation>{kind}-bestanden (*.{ext})</translation>
    </message>
</context>
<context>
    <name>FieldsTable</name>
    <message>
        <source>Name</source>
        <translation>Naam</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Soort</translation>
    </message>
    <message>
        <source>Allowed values or range</source>
        <translation>Toegestane waarden of bereik</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Eenheid</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optioneel</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschrijving</translation>
    </message>
    <message>
        <source>choice: the allowed values separated by |, e.g. &apos;benign | malignant&apos;
whole number / number: a range such as 0..20 or 0-20 (either side may be left out)</source>
        <translation>keuze: de toegestane waarden gescheiden door |, bijvoorbeeld &apos;benigne | maligne&apos;
geheel getal / getal: een bereik zoals 0..20 of 0-20 (een van beide kanten mag leeg blijven)</translation>
    </message>
    <message>
        <source>yes/no</source>
        <translation>ja/nee</translation>
    </message>
    <message>
        <source>whole number</source>
        <translation>geheel getal</translation>
    </message>
    <message>
        <source>number</source>
        <translation>getal</translation>
    </message>
    <message>
        <source>text</source>
        <translation>tekst</translation>
    </message>
    <message>
        <source>choice</source>
        <translation>keuze</translation>
    </message>
    <message>
        <source>group of fields</source>
        <translation>groep velden</translation>
    </message>
    <message>
        <source>list of {items}</source>
        <translation>lijst van {items}</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>finished</source>
        <translation>klaar</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestopt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>mislukt</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>onderbroken</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>in gebruik</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestart</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Regels</translation>
    </message>
    <message>
        <source>ok / invalid / error</source>
        <translation>ok / ongeldig / fout</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Taalmodel</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Openen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Hervatten</translation>
    </message>
    <message>
        <source>Continue a stopped or interrupted run; its finished reports are not redone</source>
        <translation>Ga verder met een gestopte of onderbroken run; de afgeronde verslagen worden niet opnieuw gedaan</translation>
    </message>
    <message>
        <source>Open run folder…</source>
        <translation>Runmap openen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Vernieuwen</translation>
    </message>
    <message>
        <source>Looking for previous runs…</source>
        <translation>Eerdere runs zoeken…</translation>
    </message>
    <message>
        <source>Cannot list the previous runs: {reason}</source>
        <translation>Kan de eerdere runs niet tonen: {reason}</translation>
    </message>
    <message>
        <source>Another Pluk window is working on this run</source>
        <translation>Een ander Pluk-venster werkt aan deze run</translation>
    </message>
    <message numerus="yes">
        <source>%n previous run(s).</source>
        <translation>
            <numerusform>%n eerdere run.</numerusform>
            <numerusform>%n eerdere runs.</numerusform>
        </translation>
    </message>
    <message>
        <source>No previous runs yet.</source>
        <translation>Nog geen eerdere runs.</translation>
    </message>
    <message>
        <source>Opening the run…</source>
        <translation>De run wordt geopend…</translation>
    </message>
    <message>
        <source>Only a stopped or interrupted run can be resumed</source>
        <translation>Alleen een gestopte of onderbroken run kan worden hervat</translation>
    </message>
    <message>
        <source>Open a run folder</source>
        <translation>Een runmap openen</translation>
    </message>
</context>
<context>
    <name>InputsPanel</name>
    <message>
        <source>Drop a folder of reports here

txt · md · rtf · docx · pdf, or a table (csv · xlsx · jsonl · json)</source>
        <translation>Sleep een map met verslagen hierheen

txt · md · rtf · docx · pdf, of een tabel (csv · xlsx · jsonl · json)</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Verslagen</translation>
    </message>
    <message>
        <source>No reports yet.</source>
        <translation>Nog geen verslagen.</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Map toevoegen…</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Bestanden toevoegen…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Wissen</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Verslag</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Formaat</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Grootte</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Probleem</translation>
    </message>
    <message>
        <source>Group documents:</source>
        <translation>Documenten groeperen:</translation>
    </message>
    <message>
        <source>Make the documents of one patient or case one report (as pluk extract --group-by does); the reports are read again</source>
        <translation>Maak van de documenten van één patiënt of casus één verslag (zoals pluk extract --group-by); de verslagen worden opnieuw ingelezen</translation>
    </message>
    <message>
        <source>none</source>
        <translation>niet</translation>
    </message>
    <message>
        <source>one report per folder</source>
        <translation>één verslag per map</translation>
    </message>
    <message>
        <source>by table column</source>
        <translation>per tabelkolom</translation>
    </message>
    <message>
        <source>by file-name pattern</source>
        <translation>per patroon in de bestandsnaam</translation>
    </message>
    <message>
        <source>column name, e.g. patient_id</source>
        <translation>kolomnaam, bijv. patient_id</translation>
    </message>
    <message>
        <source>Table rows with the same value in this column become one report; press Enter to apply</source>
        <translation>Tabelrijen met dezelfde waarde in deze kolom worden één verslag; druk op Enter om toe te passen</translation>
    </message>
    <message>
        <source>pattern with (?P&lt;id&gt;…)</source>
        <translation>patroon met (?P&lt;id&gt;…)</translation>
    </message>
    <message>
        <source>A regular expression searched in each file&apos;s path within its folder; the part matched by (?P&lt;id&gt;…) is the patient or case, e.g. ^(?P&lt;id&gt;[^_]+)_ groups P07_mri.pdf and P07_pa.txt; press Enter to apply</source>
        <translation>Een reguliere expressie die in het pad van elk bestand binnen zijn map wordt gezocht; het deel dat (?P&lt;id&gt;…) vindt, is de patiënt of casus, bijv. ^(?P&lt;id&gt;[^_]+)_ groepeert P07_mri.pdf en P07_pa.txt; druk op Enter om toe te passen</translation>
    </message>
    <message>
        <source>Add a folder of reports</source>
        <translation>Een map met verslagen toevoegen</translation>
    </message>
    <message>
        <source>Add report files</source>
        <translation>Verslagbestanden toevoegen</translation>
    </message>
    <message>
        <source>Reports and tables ({patterns});;All files (*)</source>
        <translation>Verslagen en tabellen ({patterns});;Alle bestanden (*)</translation>
    </message>
    <message>
        <source>Reading the columns of {name}…</source>
        <translation>De kolommen van {name} worden gelezen…</translation>
    </message>
    <message>
        <source>Reading {name} by OCR: page {n} of {total}…</source>
        <translation>{name} lezen met OCR: pagina {n} van {total}…</translation>
    </message>
    <message>
        <source>Reading {name} by OCR: {total} scanned pages…</source>
        <translation>{name} lezen met OCR: {total} gescande pagina&apos;s…</translation>
    </message>
    <message>
        <source>Reading the reports…</source>
        <translation>De verslagen worden gelezen…</translation>
    </message>
    <message>
        <source>Cannot add these reports</source>
        <translation>Kan deze verslagen niet toevoegen</translation>
    </message>
    <message numerus="yes">
        <source>{id} (%n document(s))</source>
        <translation>
            <numerusform>{id} (%n document)</numerusform>
            <numerusform>{id} (%n documenten)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s)</source>
        <translation>
            <numerusform>%n verslag</numerusform>
            <numerusform>%n verslagen</numerusform>
        </translation>
    </message>
    <message>
        <source>none readable</source>
        <translation>geen leesbaar</translation>
    </message>
    <message numerus="yes">
        <source>%n cannot be read</source>
        <translation>
            <numerusform>%n onleesbaar</numerusform>
            <numerusform>%n onleesbaar</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with warnings</source>
        <translation>
            <numerusform>%n met waarschuwingen</numerusform>
            <numerusform>%n met waarschuwingen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n document(s) grouped</source>
        <translation>
            <numerusform>%n document gegroepeerd</numerusform>
            <numerusform>%n documenten gegroepeerd</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Results</source>
        <translation>Resultaten</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Beoordelen</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>Validatie</translation>
    </message>
    <message>
        <source>Previous runs</source>
        <translation>Eerdere runs</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Map toevoegen…</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Bestanden toevoegen…</translation>
    </message>
    <message>
        <source>Open run folder…</source>
        <translation>Runmap openen…</translation>
    </message>
    <message>
        <source>Export results…</source>
        <translation>Resultaten exporteren…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Afsluiten</translation>
    </message>
    <message>
        <source>New task…</source>
        <translation>Nieuwe taak…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Instellingen…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Taalmodellen…</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Bestand</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Uitvoeren</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hulp</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Handleiding</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Logmap openen</translation>
    </message>
    <message>
        <source>About Pluk</source>
        <translation>Over Pluk</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Werkbalk</translation>
    </message>
</context>
<context>
    <name>ModelJob</name>
    <message>
        <source>Checking</source>
        <translation>Controleren</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>Downloaden</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Verifiëren</translation>
    </message>
    <message>
        <source>Copying</source>
        <translation>Kopiëren</translation>
    </message>
    <message>
        <source>Hashing</source>
        <translation>Hash berekenen</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} van {total}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>nog {time}</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>Checking this computer&apos;s memory…</source>
        <translation>Het geheugen van deze computer wordt bekeken…</translation>
    </message>
    <message>
        <source>unknown memory</source>
        <translation>onbekend geheugen</translation>
    </message>
    <message>
        <source>{size} memory</source>
        <translation>{size} geheugen</translation>
    </message>
    <message>
        <source> ({size} free)</source>
        <translation> ({size} vrij)</translation>
    </message>
    <message>
        <source>no NVIDIA GPU found</source>
        <translation>geen NVIDIA-GPU gevonden</translation>
    </message>
    <message>
        <source>This computer: {memory}, {cores} CPU cores, {gpu}. Fit verdicts are for a context of {n_ctx} tokens.</source>
        <translation>Deze computer: {memory}, {cores} CPU-kernen, {gpu}. Of een model past, geldt voor een context van {n_ctx} tokens.</translation>
    </message>
    <message>
        <source>The engine&apos;s GPU code cannot run here ({reasons}): Pluk runs on the CPU.</source>
        <translation>De GPU-code van de engine kan hier niet draaien ({reasons}): Pluk draait op de CPU.</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Taalmodellen</translation>
    </message>
    <message>
        <source>Downloads are the &lt;b&gt;only&lt;/b&gt; time Pluk uses the network: they fetch one model file from &lt;b&gt;{hub}&lt;/b&gt;. Imports, runs and exports never leave this computer. On an air-gapped workstation, import a .gguf file or a model pack instead.</source>
        <translation>Downloaden is het &lt;b&gt;enige&lt;/b&gt; moment waarop Pluk het netwerk gebruikt: er wordt één modelbestand opgehaald van &lt;b&gt;{hub}&lt;/b&gt;. Importeren, runs en exports verlaten deze computer nooit. Importeer op een werkplek zonder netwerk een .gguf-bestand of een modelpakket.</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Catalogus</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Downloaden</translation>
    </message>
    <message>
        <source>Download from repo…</source>
        <translation>Downloaden uit repository…</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Geïnstalleerd</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importeren…</translation>
    </message>
    <message>
        <source>Import model pack…</source>
        <translation>Modelpakket importeren…</translation>
    </message>
    <message>
        <source>A folder made with &apos;pluk models export-pack&apos; (on a USB stick, say): its model is checked against the pack&apos;s sha256 while it is copied in</source>
        <translation>Een map gemaakt met &apos;pluk models export-pack&apos; (op een USB-stick, bijvoorbeeld): het model wordt tijdens het kopiëren gecontroleerd tegen de sha256 van het pakket</translation>
    </message>
    <message>
        <source>Copy into Pluk&apos;s models folder</source>
        <translation>Kopiëren naar de modellenmap van Pluk</translation>
    </message>
    <message>
        <source>Unchecked: the file is used where it lies and must stay there</source>
        <translation>Uit: het bestand wordt gebruikt waar het staat en moet daar blijven</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verifiëren</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Could not read this computer&apos;s memory; no fit verdicts.</source>
        <translation>Het geheugen van deze computer kon niet worden gelezen; geen oordeel over wat past.</translation>
    </message>
    <message>
        <source>This model does not fit</source>
        <translation>Dit model past niet</translation>
    </message>
    <message>
        <source>{model} needs about {needed} of memory; this computer has {has}. Download it anyway?</source>
        <translation>{model} heeft ongeveer {needed} geheugen nodig; deze computer heeft {has}. Toch downloaden?</translation>
    </message>
    <message>
        <source>Downloading {name}</source>
        <translation>{name} downloaden</translation>
    </message>
    <message>
        <source>Import GGUF models</source>
        <translation>GGUF-modellen importeren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-modellen (*.gguf);;Alle bestanden (*)</translation>
    </message>
    <message>
        <source>Model pack folder</source>
        <translation>Map van het modelpakket</translation>
    </message>
    <message>
        <source>Importing the pack in {name}</source>
        <translation>Pakket in {name} importeren</translation>
    </message>
    <message>
        <source>Importing {name}</source>
        <translation>{name} importeren</translation>
    </message>
    <message>
        <source>Verifying {name}</source>
        <translation>{name} verifiëren</translation>
    </message>
    <message>
        <source>Pluk forgets it; the file stays where it is.</source>
        <translation>Pluk vergeet het; het bestand blijft waar het is.</translation>
    </message>
    <message>
        <source>Its file ({size}) is deleted from {folder}.</source>
        <translation>Het bestand ({size}) wordt verwijderd uit {folder}.</translation>
    </message>
    <message>
        <source>Remove the model?</source>
        <translation>Het model verwijderen?</translation>
    </message>
    <message>
        <source>Remove &lt;b&gt;{model}&lt;/b&gt;? {what}</source>
        <translation>&lt;b&gt;{model}&lt;/b&gt; verwijderen? {what}</translation>
    </message>
    <message>
        <source>Could not remove {model}: {reason}</source>
        <translation>Kon {model} niet verwijderen: {reason}</translation>
    </message>
    <message>
        <source>Removed {model}.</source>
        <translation>{model} is verwijderd.</translation>
    </message>
    <message>
        <source>{job}: stopping…</source>
        <translation>{job}: wordt gestopt…</translation>
    </message>
    <message>
        <source>Installed {model} ({size}, sha256 {sha}…).</source>
        <translation>{model} is geïnstalleerd ({size}, sha256 {sha}…).</translation>
    </message>
    <message>
        <source>{model}: the file is intact (sha256 matches).</source>
        <translation>{model}: het bestand is intact (sha256 klopt).</translation>
    </message>
    <message>
        <source>The job</source>
        <translation>De taak</translation>
    </message>
    <message>
        <source>{job} failed: {reason}</source>
        <translation>{job} is mislukt: {reason}</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Model</source>
        <translation>Taalmodel</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>Bestand kiezen…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Taalmodellen…</translation>
    </message>
    <message>
        <source>Download, import, verify or remove models</source>
        <translation>Taalmodellen downloaden, importeren, verifiëren of verwijderen</translation>
    </message>
    <message>
        <source>No model yet. Press &lt;b&gt;Models…&lt;/b&gt; to download one (the only step that uses the network), to import a .gguf file or a model pack from a USB stick, or choose a .gguf file on this computer.</source>
        <translation>Nog geen model. Klik op &lt;b&gt;Taalmodellen…&lt;/b&gt; om er een te downloaden (de enige stap die het netwerk gebruikt), om een .gguf-bestand of een modelpakket van een USB-stick te importeren, of kies een .gguf-bestand op deze computer.</translation>
    </message>
    <message>
        <source>Choose a GGUF model</source>
        <translation>Een GGUF-model kiezen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-modellen (*.gguf);;Alle bestanden (*)</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>{name} wordt gecontroleerd…</translation>
    </message>
    <message>
        <source>This model cannot be used: {reason}</source>
        <translation>Dit model is niet bruikbaar: {reason}</translation>
    </message>
    <message>
        <source>On this computer it runs on the CPU only: with GPU layers llama.cpp crashed</source>
        <translation>Op deze computer draait het alleen op de CPU: met lagen op de GPU liep llama.cpp vast</translation>
    </message>
    <message>
        <source>On this computer it runs without llama.cpp&apos;s extra buffer types (no AMX, no weight repacking): the default way crashed</source>
        <translation>Op deze computer draait het zonder de extra buffertypes van llama.cpp (geen AMX, geen herschikte gewichten): de standaardmanier liep vast</translation>
    </message>
    <message>
        <source>{n} B parameters</source>
        <translation>{n} mld. parameters</translation>
    </message>
    <message>
        <source>{n} M parameters</source>
        <translation>{n} mln. parameters</translation>
    </message>
    <message>
        <source>context {n}</source>
        <translation>context {n}</translation>
    </message>
    <message>
        <source>no chat template (a plain prompt is used)</source>
        <translation>geen chatsjabloon (een gewone prompt wordt gebruikt)</translation>
    </message>
</context>
<context>
    <name>ModelTable</name>
    <message>
        <source>fits</source>
        <translation>past</translation>
    </message>
    <message>
        <source>tight</source>
        <translation>krap</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>past niet</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>onbekend</translation>
    </message>
    <message>
        <source>catalogue download</source>
        <translation>download uit de catalogus</translation>
    </message>
    <message>
        <source>Hub download</source>
        <translation>download van de Hub</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>geïmporteerd</translation>
    </message>
    <message>
        <source>model pack</source>
        <translation>modelpakket</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Taalmodel</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Grootte</translation>
    </message>
    <message>
        <source>RAM needed</source>
        <translation>Benodigd geheugen</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licentie</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Kwantisatie</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>Deze computer</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Geïnstalleerd</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Herkomst</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>controleren…</translation>
    </message>
    <message>
        <source>{verdict}, slow</source>
        <translation>{verdict}, traag</translation>
    </message>
    <message>
        <source>About {size} of memory at {n_ctx} tokens of context.</source>
        <translation>Ongeveer {size} geheugen bij {n_ctx} tokens context.</translation>
    </message>
    <message>
        <source>About {n} reports a minute on this computer&apos;s processor (a rough estimate from the model&apos;s size and the cores).</source>
        <translation>Ongeveer {n} verslagen per minuut op de processor van deze computer (een ruwe schatting uit de grootte van het model en het aantal kernen).</translation>
    </message>
    <message>
        <source>Slow on this computer: a smaller model, or a GPU, is faster.</source>
        <translation>Traag op deze computer: een kleiner model, of een GPU, is sneller.</translation>
    </message>
    <message>
        <source>All layers on the GPU.</source>
        <translation>Alle lagen op de GPU.</translation>
    </message>
    <message>
        <source>{n} layers on the GPU.</source>
        <translation>{n} lagen op de GPU.</translation>
    </message>
    <message>
        <source>Fits with a context of {n} tokens.</source>
        <translation>Past met een context van {n} tokens.</translation>
    </message>
    <message>
        <source>★ {title} (default)</source>
        <translation>★ {title} (standaard)</translation>
    </message>
    <message>
        <source>The default for a CPU workstation.</source>
        <translation>De standaard voor een werkplek zonder GPU.</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>geïnstalleerd</translation>
    </message>
    <message>
        <source>(used where it lies)</source>
        <translation>(gebruikt waar het staat)</translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <source>Show in folder</source>
        <translation>Tonen in map</translation>
    </message>
    <message>
        <source>Close this message</source>
        <translation>Dit bericht sluiten</translation>
    </message>
</context>
<context>
    <name>ReadingView</name>
    <message>
        <source>first: the first section that gives a value</source>
        <translation>first: het eerste deel dat een waarde geeft</translation>
    </message>
    <message>
        <source>last: the last section that gives a value</source>
        <translation>last: het laatste deel dat een waarde geeft</translation>
    </message>
    <message>
        <source>probable: the most probable value</source>
        <translation>probable: de waarschijnlijkste waarde</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Wat</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Text from OCR</source>
        <translation>Tekst uit OCR</translation>
    </message>
    <message>
        <source>Warnings ({n})</source>
        <translation>Waarschuwingen ({n})</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>waarschuwing</translation>
    </message>
    <message>
        <source>Read whole</source>
        <translation>In één keer gelezen</translation>
    </message>
    <message>
        <source>The report fitted the context, came from one document and needed no OCR; there were no warnings.</source>
        <translation>Het verslag paste in de context, kwam uit één document en had geen OCR nodig; er waren geen waarschuwingen.</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Opgedeeld</translation>
    </message>
    <message numerus="yes">
        <source>%n section(s)</source>
        <translation>
            <numerusform>%n deel</numerusform>
            <numerusform>%n delen</numerusform>
        </translation>
    </message>
    <message>
        <source>Report tokens</source>
        <translation>Tokens van het verslag</translation>
    </message>
    <message>
        <source>Room per section</source>
        <translation>Ruimte per deel</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} tokens</translation>
    </message>
    <message>
        <source>Overlap</source>
        <translation>Overlap</translation>
    </message>
    <message>
        <source>Merge rule</source>
        <translation>Samenvoegregel</translation>
    </message>
    <message>
        <source>Section {n}</source>
        <translation>Deel {n}</translation>
    </message>
    <message>
        <source>{tokens} tokens, characters {start}–{end}</source>
        <translation>{tokens} tokens, tekens {start}–{end}</translation>
    </message>
    <message>
        <source>Values from</source>
        <translation>Waarden uit</translation>
    </message>
    <message>
        <source>section {n}</source>
        <translation>deel {n}</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Programma</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Talen</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Pagina&apos;s</translation>
    </message>
    <message>
        <source>Mean confidence</source>
        <translation>Gemiddelde zekerheid</translation>
    </message>
    <message>
        <source>Pages left out</source>
        <translation>Weggelaten pagina&apos;s</translation>
    </message>
    <message>
        <source>Grouped</source>
        <translation>Gegroepeerd</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documenten</numerusform>
        </translation>
    </message>
    <message>
        <source>{format}, could not be read</source>
        <translation>{format}, niet leesbaar</translation>
    </message>
    <message>
        <source>{format}, characters {start}–{end}</source>
        <translation>{format}, tekens {start}–{end}</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Bron</translation>
    </message>
    <message>
        <source>error</source>
        <translation>fout</translation>
    </message>
</context>
<context>
    <name>ReadingWords</name>
    <message numerus="yes">
        <source>split in %n</source>
        <translation>
            <numerusform>opgedeeld in %n</numerusform>
            <numerusform>opgedeeld in %n</numerusform>
        </translation>
    </message>
    <message>
        <source>OCR</source>
        <translation>OCR</translation>
    </message>
    <message>
        <source>OCR {confidence}</source>
        <translation>OCR {confidence}</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documenten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s)</source>
        <translation>
            <numerusform>%n waarschuwing</numerusform>
            <numerusform>%n waarschuwingen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Grouped from %n document(s): {names}</source>
        <translation>
            <numerusform>Gegroepeerd uit %n document: {names}</numerusform>
            <numerusform>Gegroepeerd uit %n documenten: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s):</source>
        <translation>
            <numerusform>%n waarschuwing:</numerusform>
            <numerusform>%n waarschuwingen:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Read in %n overlapping section(s): the report has {tokens} tokens, one section holds at most {room}.</source>
        <translation>
            <numerusform>In %n deel gelezen: het verslag heeft {tokens} tokens, één deel bevat er hoogstens {room}.</numerusform>
            <numerusform>In %n overlappende delen gelezen: het verslag heeft {tokens} tokens, één deel bevat er hoogstens {room}.</numerusform>
        </translation>
    </message>
    <message>
        <source>Text from OCR ({engine}, {languages}), pages {pages}</source>
        <translation>Tekst uit OCR ({engine}, {languages}), pagina&apos;s {pages}</translation>
    </message>
    <message>
        <source>mean confidence {confidence}</source>
        <translation>gemiddelde zekerheid {confidence}</translation>
    </message>
    <message>
        <source>pages left out: {pages}</source>
        <translation>weggelaten pagina&apos;s: {pages}</translation>
    </message>
</context>
<context>
    <name>ReliabilityView</name>
    <message>
        <source>option probabilities</source>
        <translation>optiekansen</translation>
    </message>
    <message>
        <source>agreement across passes</source>
        <translation>overeenstemming tussen herhalingen</translation>
    </message>
    <message>
        <source>Which confidence to check: the model&apos;s option probability, or the share of the passes that agreed</source>
        <translation>Welke zekerheid te controleren: de optiekans van het model, of het deel van de herhalingen dat overeenkwam</translation>
    </message>
    <message>
        <source>Reliability diagram: confidence (across, 0 to 1) against accuracy (up, 0 to 1). A bar per bin with answers, its dark tick the bin&apos;s mean confidence; a calibrated probability has its bars on the grey diagonal.</source>
        <translation>Betrouwbaarheidsdiagram: zekerheid (horizontaal, 0 tot 1) tegen juistheid (verticaal, 0 tot 1). Een staaf per klasse met antwoorden, het donkere streepje is de gemiddelde zekerheid van die klasse; bij een goed gekalibreerde kans staan de staven op de grijze diagonaal.</translation>
    </message>
    <message>
        <source>No option probabilities in these records: no calibration to show.</source>
        <translation>Geen optiekansen in deze records: geen kalibratie om te tonen.</translation>
    </message>
    <message numerus="yes">
        <source>Calibration of the option probabilities: ECE {ece} over %n answer(s), {bins} equal-width bins (0 is perfectly calibrated).</source>
        <translation>
            <numerusform>Kalibratie van de optiekansen: ECE {ece} over %n antwoord(en), {bins} even brede klassen (0 is perfect gekalibreerd).</numerusform>
            <numerusform>Kalibratie van de optiekansen: ECE {ece} over %n antwoord(en), {bins} even brede klassen (0 is perfect gekalibreerd).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Calibration of the agreement across passes: ECE {ece} over %n answer(s), {bins} equal-width bins (0 is perfectly calibrated).</source>
        <translation>
            <numerusform>Kalibratie van de overeenstemming tussen herhalingen: ECE {ece} over %n antwoord(en), {bins} even brede klassen (0 is perfect gekalibreerd).</numerusform>
            <numerusform>Kalibratie van de overeenstemming tussen herhalingen: ECE {ece} over %n antwoord(en), {bins} even brede klassen (0 is perfect gekalibreerd).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RepoDownloadDialog</name>
    <message>
        <source>The repository is owner/name, for example Qwen/Qwen2.5-7B-Instruct-GGUF.</source>
        <translation>De repository is eigenaar/naam, bijvoorbeeld Qwen/Qwen2.5-7B-Instruct-GGUF.</translation>
    </message>
    <message>
        <source>The file is one .gguf file in the repository&apos;s top folder.</source>
        <translation>Het bestand is één .gguf-bestand in de bovenste map van de repository.</translation>
    </message>
    <message>
        <source>The revision is a branch, tag or commit, for example main.</source>
        <translation>De revisie is een branch, tag of commit, bijvoorbeeld main.</translation>
    </message>
    <message>
        <source>Download from a Hub repository</source>
        <translation>Downloaden uit een Hub-repository</translation>
    </message>
    <message>
        <source>Download one GGUF file from &lt;b&gt;{hub}&lt;/b&gt;. Only this download uses the network.</source>
        <translation>Download één GGUF-bestand van &lt;b&gt;{hub}&lt;/b&gt;. Alleen deze download gebruikt het netwerk.</translation>
    </message>
    <message>
        <source>owner/name</source>
        <translation>eigenaar/naam</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>Repository</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revisie</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Downloaden</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nee</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>ongeldig</translation>
    </message>
    <message>
        <source>error</source>
        <translation>fout</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Verslag</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Inlezen</translation>
    </message>
    <message>
        <source>{verdict} by {reviewer}; the model&apos;s value: {value}</source>
        <translation>{verdict} door {reviewer}; waarde van het model: {value}</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <source>Results</source>
        <translation>Resultaten</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Alle statussen</translation>
    </message>
    <message>
        <source>Filter by value…</source>
        <translation>Filteren op waarde…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exporteren…</translation>
    </message>
    <message>
        <source>Review…</source>
        <translation>Beoordelen…</translation>
    </message>
    <message>
        <source>Check the values report by report, most uncertain first</source>
        <translation>Controleer de waarden verslag voor verslag, de onzekerste eerst</translation>
    </message>
    <message>
        <source>Results appear here, one row per report, as each report is finished.
Previous runs can be opened from the Previous runs tab.</source>
        <translation>Hier verschijnen de resultaten, één rij per verslag, zodra elk verslag klaar is.
Eerdere runs opent u in het tabblad Eerdere runs.</translation>
    </message>
    <message>
        <source>in any column</source>
        <translation>in elke kolom</translation>
    </message>
    <message>
        <source>in {column}</source>
        <translation>in {column}</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s)</source>
        <translation>
            <numerusform>%n regel</numerusform>
            <numerusform>%n regels</numerusform>
        </translation>
    </message>
    <message>
        <source>ok {ok} · invalid {invalid} · error {error}</source>
        <translation>ok {ok} · ongeldig {invalid} · fout {error}</translation>
    </message>
    <message numerus="yes">
        <source>%n shown</source>
        <translation>
            <numerusform>%n getoond</numerusform>
            <numerusform>%n getoond</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <source>Most uncertain first</source>
        <translation>Onzekerste eerst</translation>
    </message>
    <message>
        <source>Run order</source>
        <translation>Volgorde van de run</translation>
    </message>
    <message>
        <source>By report id</source>
        <translation>Op verslag-id</translation>
    </message>
    <message>
        <source>incorrect</source>
        <translation>onjuist</translation>
    </message>
    <message>
        <source>incomplete</source>
        <translation>onvolledig</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>ontbreekt</translation>
    </message>
    <message>
        <source>hallucinated</source>
        <translation>verzonnen</translation>
    </message>
    <message>
        <source>other</source>
        <translation>anders</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>goedgekeurd</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>verbeterd</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>afgewezen</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Beoordelen</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Uw naam</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Volgorde</translation>
    </message>
    <message>
        <source>Reviewer</source>
        <translation>Beoordelaar</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Veld</translation>
    </message>
    <message>
        <source>Model value</source>
        <translation>Waarde van het model</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Bewijs</translation>
    </message>
    <message>
        <source>Reviewed value</source>
        <translation>Beoordeelde waarde</translation>
    </message>
    <message>
        <source>◀ Previous (P)</source>
        <translation>◀ Vorige (P)</translation>
    </message>
    <message>
        <source>Next (N) ▶</source>
        <translation>Volgende (N) ▶</translation>
    </message>
    <message>
        <source>Accept (A)</source>
        <translation>Goedkeuren (A)</translation>
    </message>
    <message>
        <source>Accept all (Shift+A)</source>
        <translation>Alles goedkeuren (Shift+A)</translation>
    </message>
    <message>
        <source>Save correction (Enter)</source>
        <translation>Verbetering opslaan (Enter)</translation>
    </message>
    <message>
        <source>Reject (R)</source>
        <translation>Afwijzen (R)</translation>
    </message>
    <message>
        <source>Correct (C):</source>
        <translation>Verbeteren (C):</translation>
    </message>
    <message>
        <source>Open or finish a run to review its records.</source>
        <translation>Open of voltooi een run om de regels ervan te beoordelen.</translation>
    </message>
    <message>
        <source>A run is going on: review when it has finished.</source>
        <translation>Er loopt een run: beoordeel als die klaar is.</translation>
    </message>
    <message>
        <source>This run has no records to review.</source>
        <translation>Deze run heeft geen regels om te beoordelen.</translation>
    </message>
    <message>
        <source>{done} of {total} reviewed</source>
        <translation>{done} van {total} beoordeeld</translation>
    </message>
    <message>
        <source>The report text is not available (its input is no longer loaded).</source>
        <translation>De tekst van het verslag is niet beschikbaar (de invoer is niet meer geladen).</translation>
    </message>
    <message>
        <source>Report {n} of {total}: {id}</source>
        <translation>Verslag {n} van {total}: {id}</translation>
    </message>
    <message>
        <source>{found} of {total} grounded</source>
        <translation>{found} van {total} onderbouwd</translation>
    </message>
    <message>
        <source>Accepted {field}.</source>
        <translation>{field} is goedgekeurd.</translation>
    </message>
    <message numerus="yes">
        <source>Accepted %n field(s) of {id}.</source>
        <translation>
            <numerusform>%n veld van {id} goedgekeurd.</numerusform>
            <numerusform>%n velden van {id} goedgekeurd.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not stored: the editor showed another field; it now shows {field} of {id}.</source>
        <translation>Niet opgeslagen: de editor toonde een ander veld; nu toont hij {field} van {id}.</translation>
    </message>
    <message>
        <source>Not stored: {reason}.</source>
        <translation>Niet opgeslagen: {reason}.</translation>
    </message>
    <message>
        <source>Corrected {field} to {value}.</source>
        <translation>{field} is verbeterd tot {value}.</translation>
    </message>
    <message>
        <source>Rejected {field}: {reason}.</source>
        <translation>{field} is afgewezen: {reason}.</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <source>Checking the model file</source>
        <translation>Het modelbestand wordt gecontroleerd</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>Het model laden</translation>
    </message>
    <message>
        <source>Counting the tokens of the reports</source>
        <translation>De tokens van de verslagen worden geteld</translation>
    </message>
    <message>
        <source>The model runs without llama.cpp&apos;s extra buffer types (no AMX, no weight repacking): the default way crashed on this computer</source>
        <translation>Het model draait zonder de extra buffertypes van llama.cpp (geen AMX, geen herschikte gewichten): de standaardmanier liep op deze computer vast</translation>
    </message>
    <message>
        <source>The model runs on the CPU only: with GPU layers it crashed on this computer</source>
        <translation>Het model draait alleen op de CPU: met lagen op de GPU liep het op deze computer vast</translation>
    </message>
    <message>
        <source>Loading the model (context {n} tokens)…</source>
        <translation>Het model wordt geladen (context {n} tokens)…</translation>
    </message>
    <message>
        <source>h</source>
        <comment>hours</comment>
        <translation>u</translation>
    </message>
    <message>
        <source>▶  Run</source>
        <translation>▶  Starten</translation>
    </message>
    <message>
        <source>↻  Resume</source>
        <translation>↻  Hervatten</translation>
    </message>
    <message>
        <source>Continue the stopped run: its finished reports are kept and not redone</source>
        <translation>Ga verder met de gestopte run: de afgeronde verslagen blijven bewaard en worden niet opnieuw gedaan</translation>
    </message>
    <message>
        <source>■  Stop</source>
        <translation>■  Stoppen</translation>
    </message>
    <message>
        <source>Stop after the current report; the finished reports are kept and the run can be resumed</source>
        <translation>Stoppen na het huidige verslag; de afgeronde verslagen blijven bewaard en de run kan worden hervat</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Gereed</translation>
    </message>
    <message>
        <source>Run the task over every report</source>
        <translation>Voer de taak uit op elk verslag</translation>
    </message>
    <message>
        <source>Ready to run</source>
        <translation>Klaar om te starten</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Bezig met starten…</translation>
    </message>
    <message>
        <source>Stopping after the current report… The finished reports are kept.</source>
        <translation>Stoppen na het huidige verslag… De afgeronde verslagen blijven bewaard.</translation>
    </message>
    <message>
        <source>Checking the model file: {done} of {total}</source>
        <translation>Het modelbestand wordt gecontroleerd: {done} van {total}</translation>
    </message>
    <message numerus="yes">
        <source>%n of {total} reports done</source>
        <translation>
            <numerusform>%n van {total} verslagen klaar</numerusform>
            <numerusform>%n van {total} verslagen klaar</numerusform>
        </translation>
    </message>
    <message>
        <source>reading report {n} ({tokens} tokens)</source>
        <translation>verslag {n} wordt gelezen ({tokens} tokens)</translation>
    </message>
    <message numerus="yes">
        <source>thinking about report {n}: %n token(s)</source>
        <translation>
            <numerusform>denkt na over verslag {n}: %n token(s)</numerusform>
            <numerusform>denkt na over verslag {n}: %n token(s)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>writing the answer to report {n}: %n token(s)</source>
        <translation>
            <numerusform>het antwoord op verslag {n} wordt geschreven: %n token</numerusform>
            <numerusform>het antwoord op verslag {n} wordt geschreven: %n tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>the model is loaded</source>
        <translation>het model is geladen</translation>
    </message>
    <message>
        <source>{rate} reports/min</source>
        <translation>{rate} verslagen/min</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} tokens/s</translation>
    </message>
    <message>
        <source>about {time} left</source>
        <translation>nog ongeveer {time}</translation>
    </message>
    <message>
        <source>time left: known when the first report is done</source>
        <translation>resterende tijd: bekend zodra het eerste verslag klaar is</translation>
    </message>
    <message>
        <source>ok {ok} · invalid {invalid} · error {error}</source>
        <translation>ok {ok} · ongeldig {invalid} · fout {error}</translation>
    </message>
    <message>
        <source>last: {id}</source>
        <translation>laatste: {id}</translation>
    </message>
    <message>
        <source>now: {id}</source>
        <translation>nu: {id}</translation>
    </message>
    <message numerus="yes">
        <source>Run finished: %n record(s)</source>
        <translation>
            <numerusform>Run klaar: %n regel</numerusform>
            <numerusform>Run klaar: %n regels</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Run stopped after %n report(s): Resume continues it</source>
        <translation>
            <numerusform>Run gestopt na %n verslag: Hervatten gaat verder</numerusform>
            <numerusform>Run gestopt na %n verslagen: Hervatten gaat verder</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Run {status}: %n record(s)</source>
        <translation>
            <numerusform>Run {status}: %n regel</numerusform>
            <numerusform>Run {status}: %n regels</numerusform>
        </translation>
    </message>
    <message>
        <source>ok {ok} · invalid {invalid} · error {error} · saved in {folder}</source>
        <translation>ok {ok} · ongeldig {invalid} · fout {error} · opgeslagen in {folder}</translation>
    </message>
    <message>
        <source>The run failed</source>
        <translation>De run is mislukt</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>A run is going on</source>
        <translation>Er loopt een run</translation>
    </message>
    <message>
        <source>Fix the rule for grouping documents</source>
        <translation>Verbeter de regel voor het groeperen van documenten</translation>
    </message>
    <message>
        <source>Add reports first</source>
        <translation>Voeg eerst verslagen toe</translation>
    </message>
    <message>
        <source>Choose a task</source>
        <translation>Kies een taak</translation>
    </message>
    <message>
        <source>Choose a model file, or download one with Models…</source>
        <translation>Kies een modelbestand, of download er een met Taalmodellen…</translation>
    </message>
    <message>
        <source>Checking the model file…</source>
        <translation>Het modelbestand wordt gecontroleerd…</translation>
    </message>
    <message>
        <source>This model cannot be used: {reason}</source>
        <translation>Dit model is niet bruikbaar: {reason}</translation>
    </message>
    <message>
        <source>Cannot resume: a run is going on</source>
        <translation>Kan niet hervatten: er loopt een run</translation>
    </message>
    <message>
        <source>Cannot resume: another Pluk window is working on this run</source>
        <translation>Kan niet hervatten: een ander Pluk-venster werkt aan deze run</translation>
    </message>
    <message>
        <source>Cannot resume: these inputs are gone: {paths}</source>
        <translation>Kan niet hervatten: deze invoer bestaat niet meer: {paths}</translation>
    </message>
    <message>
        <source>Cannot resume: the run lists no inputs</source>
        <translation>Kan niet hervatten: de run noemt geen invoer</translation>
    </message>
    <message>
        <source>Cannot resume: the model file is gone: {path}</source>
        <translation>Kan niet hervatten: het modelbestand bestaat niet meer: {path}</translation>
    </message>
    <message>
        <source>Cannot resume: {reason}</source>
        <translation>Kan niet hervatten: {reason}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Instellingen</translation>
    </message>
    <message>
        <source>automatic ({n})</source>
        <translation>automatisch ({n})</translation>
    </message>
    <message>
        <source>all layers</source>
        <translation>alle lagen</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>tokens</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>How long a thinking model may reason before its answer; 0: no thinking</source>
        <translation>Hoe lang een denkend model mag redeneren voor zijn antwoord; 0: niet denken</translation>
    </message>
    <message>
        <source>answers per report</source>
        <translation>antwoorden per verslag</translation>
    </message>
    <message>
        <source>Answer each report several times and keep per field the value most answers gave; how many agreed is shown and sorts the review. Costs time per extra answer</source>
        <translation>Beantwoord elk verslag meerdere keren en bewaar per veld de waarde die de meeste antwoorden gaven; hoeveel er overeenkwamen wordt getoond en bepaalt de volgorde van de controle. Elk extra antwoord kost tijd</translation>
    </message>
    <message>
        <source>CPU cores the model computes with; automatic leaves one free for the window</source>
        <translation>CPU-kernen waarmee het model rekent; automatisch houdt er één vrij voor het venster</translation>
    </message>
    <message>
        <source>Reports the model reads at the same time: more is faster on a GPU and uses more memory</source>
        <translation>Verslagen die het model tegelijk leest: meer is sneller op een GPU en gebruikt meer geheugen</translation>
    </message>
    <message>
        <source>Model layers put on the graphics card: 0 runs on the CPU alone, all layers is fastest when they fit</source>
        <translation>Modellagen op de videokaart: 0 draait alleen op de CPU, alle lagen is het snelst als ze passen</translation>
    </message>
    <message>
        <source>The most text the model reads at once; a longer report is read in sections. More uses more memory</source>
        <translation>De meeste tekst die het model in één keer leest; een langer verslag wordt in delen gelezen. Meer gebruikt meer geheugen</translation>
    </message>
    <message>
        <source>0 gives the same answer every time (best for extraction); higher values vary the answers</source>
        <translation>0 geeft elke keer hetzelfde antwoord (het beste voor extractie); hogere waarden variëren de antwoorden</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Kiezen…</translation>
    </message>
    <message>
        <source>as this computer&apos;s spreadsheets expect ({mark})</source>
        <translation>zoals de rekenbladen op deze computer verwachten ({mark})</translation>
    </message>
    <message>
        <source>, comma</source>
        <translation>, komma</translation>
    </message>
    <message>
        <source>; semicolon</source>
        <translation>; puntkomma</translation>
    </message>
    <message>
        <source>tab</source>
        <translation>tab</translation>
    </message>
    <message>
        <source>as this computer writes numbers ({mark})</source>
        <translation>zoals deze computer getallen schrijft ({mark})</translation>
    </message>
    <message>
        <source>point: 9.7</source>
        <translation>punt: 9.7</translation>
    </message>
    <message>
        <source>comma: 9,7</source>
        <translation>komma: 9,7</translation>
    </message>
    <message>
        <source>as the system ({language})</source>
        <translation>zoals het systeem ({language})</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-threads</translation>
    </message>
    <message>
        <source>Reports at once</source>
        <translation>Verslagen tegelijk</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU-lagen</translation>
    </message>
    <message>
        <source>Context limit</source>
        <translation>Contextlimiet</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatuur</translation>
    </message>
    <message>
        <source>Thinking budget</source>
        <translation>Denkbudget</translation>
    </message>
    <message>
        <source>Passes</source>
        <translation>Herhalingen</translation>
    </message>
    <message>
        <source>Replace names, places, dates and other identifiers before the model sees a report</source>
        <translation>Namen, plaatsen, datums en andere identificerende gegevens vervangen voordat het model een verslag ziet</translation>
    </message>
    <message>
        <source>Pseudonymise</source>
        <translation>Pseudonimiseren</translation>
    </message>
    <message>
        <source>Save runs in</source>
        <translation>Runs opslaan in</translation>
    </message>
    <message>
        <source>CSV delimiter</source>
        <translation>CSV-scheidingsteken</translation>
    </message>
    <message>
        <source>CSV decimal mark</source>
        <translation>CSV-decimaalteken</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Temperature 0 gives the same answer every time; the context is fitted to the longest report, up to the limit. A new language is used from the next start.</source>
        <translation>Temperatuur 0 geeft elke keer hetzelfde antwoord; de context wordt passend gemaakt voor het langste verslag, tot aan de limiet. Een nieuwe taal geldt vanaf de volgende start.</translation>
    </message>
</context>
<context>
    <name>TableColumnsDialog</name>
    <message>
        <source>(automatic: a column named id, else row numbers)</source>
        <translation>(automatisch: een kolom met de naam id, anders rijnummers)</translation>
    </message>
    <message>
        <source>Which columns hold the reports?</source>
        <translation>Welke kolommen bevatten de verslagen?</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;{name}&lt;/b&gt; is a table with %n column(s). Choose the column with each report&apos;s id and the one with its text.</source>
        <translation>
            <numerusform>&lt;b&gt;{name}&lt;/b&gt; is een tabel met %n kolom. Kies de kolom met de id van elk verslag en die met de tekst.</numerusform>
            <numerusform>&lt;b&gt;{name}&lt;/b&gt; is een tabel met %n kolommen. Kies de kolom met de id van elk verslag en die met de tekst.</numerusform>
        </translation>
    </message>
    <message>
        <source>Report id column</source>
        <translation>Kolom met de verslag-id</translation>
    </message>
    <message>
        <source>Report text column</source>
        <translation>Kolom met de verslagtekst</translation>
    </message>
</context>
<context>
    <name>TaskEditor</name>
    <message>
        <source>Dutch</source>
        <translation>Nederlands</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Engels</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Duits</translation>
    </message>
    <message>
        <source>French</source>
        <translation>Frans</translation>
    </message>
    <message>
        <source>(the text of each report goes here)</source>
        <translation>(hier komt de tekst van elk verslag)</translation>
    </message>
    <message>
        <source>Task editor</source>
        <translation>Taakeditor</translation>
    </message>
    <message>
        <source>Letters, digits, _ . -; also the file name</source>
        <translation>Letters, cijfers, _ . -; ook de bestandsnaam</translation>
    </message>
    <message>
        <source>Optional extra guidance for the model</source>
        <translation>Optionele extra aanwijzingen voor het model</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschrijving</translation>
    </message>
    <message>
        <source>Instructions</source>
        <translation>Instructies</translation>
    </message>
    <message>
        <source>&lt;b&gt;Fields&lt;/b&gt; — one per value to extract</source>
        <translation>&lt;b&gt;Velden&lt;/b&gt; — één per waarde die u wilt ophalen</translation>
    </message>
    <message>
        <source>Types: yes/no, whole number, number, text, choice (the values separated by |), or a list of one of these. A range is typed as 0..1000 or 0-1000.</source>
        <translation>Soorten: ja/nee, geheel getal, getal, tekst, keuze (de waarden gescheiden door |), of een lijst van een daarvan. Een bereik typt u als 0..1000 of 0-1000.</translation>
    </message>
    <message>
        <source>Add field</source>
        <translation>Veld toevoegen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Omhoog</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Omlaag</translation>
    </message>
    <message>
        <source>Prompt preview</source>
        <translation>Voorbeeld van de prompt</translation>
    </message>
    <message>
        <source>JSON schema</source>
        <translation>JSON-schema</translation>
    </message>
    <message>
        <source>Task file</source>
        <translation>Taakbestand</translation>
    </message>
    <message>
        <source>Save task</source>
        <translation>Taak opslaan</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Save the changes?</source>
        <translation>Wijzigingen opslaan?</translation>
    </message>
    <message>
        <source>This task has changes that are not saved.</source>
        <translation>Deze taak heeft wijzigingen die niet zijn opgeslagen.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Opslaan</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>Wijzigingen weggooien</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Verder bewerken</translation>
    </message>
    <message>
        <source>Saves to {path}</source>
        <translation>Wordt opgeslagen in {path}</translation>
    </message>
    <message>
        <source>Choose another id</source>
        <translation>Kies een andere id</translation>
    </message>
    <message>
        <source>The id &apos;{id}&apos; is already used by {path}. Give this task its own id.</source>
        <translation>De id &apos;{id}&apos; wordt al gebruikt door {path}. Geef deze taak een eigen id.</translation>
    </message>
    <message>
        <source>Replace the task?</source>
        <translation>De taak vervangen?</translation>
    </message>
    <message>
        <source>{name} exists in your task folder. Replace it?</source>
        <translation>{name} bestaat al in uw takenmap. Vervangen?</translation>
    </message>
</context>
<context>
    <name>TaskPanel</name>
    <message>
        <source>Task</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Search tasks…</source>
        <translation>Taken zoeken…</translation>
    </message>
    <message>
        <source>Type part of a task&apos;s title or id, then choose it</source>
        <translation>Typ een deel van de titel of id van een taak en kies die dan</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>Nieuw…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bewerken…</translation>
    </message>
    <message>
        <source>Import data dictionary…</source>
        <translation>Datadictionary importeren…</translation>
    </message>
    <message>
        <source>Make a task from a REDCap data dictionary or a Castor study structure (CSV); its runs export back in REDCap&apos;s or Castor&apos;s import format</source>
        <translation>Maak een taak van een REDCap-datadictionary of een Castor-studiestructuur (CSV); de runs ervan exporteren terug naar het importformaat van REDCap of Castor</translation>
    </message>
    <message>
        <source>Use it</source>
        <translation>Gebruiken</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Veld</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Soort</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Betekenis</translation>
    </message>
    <message>
        <source>Clinical tasks</source>
        <translation>Klinische taken</translation>
    </message>
    <message>
        <source>Your own tasks</source>
        <translation>Uw eigen taken</translation>
    </message>
    <message>
        <source>DRAGON benchmark tasks</source>
        <translation>Taken van de DRAGON-benchmark</translation>
    </message>
    <message>
        <source>Some task files could not be loaded:</source>
        <translation>Sommige taakbestanden konden niet worden geladen:</translation>
    </message>
    <message>
        <source>These reports look like “{title}”.</source>
        <translation>Deze verslagen lijken op “{title}”.</translation>
    </message>
    <message>
        <source>No task. Press New… to define one.</source>
        <translation>Geen taak. Druk op Nieuw… om er een te maken.</translation>
    </message>
    <message>
        <source>Edit a copy…</source>
        <translation>Kopie bewerken…</translation>
    </message>
    <message>
        <source>Change this task</source>
        <translation>Deze taak wijzigen</translation>
    </message>
    <message>
        <source>Built-in tasks stay as they are: edit a copy saved in your task folder</source>
        <translation>Ingebouwde taken blijven zoals ze zijn: bewerk een kopie die in uw takenmap wordt opgeslagen</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>optioneel</translation>
    </message>
    <message>
        <source>{title} (copy)</source>
        <translation>{title} (kopie)</translation>
    </message>
    <message>
        <source>Import a data dictionary</source>
        <translation>Een datadictionary importeren</translation>
    </message>
    <message>
        <source>REDCap data dictionary or Castor structure (*.csv)</source>
        <translation>REDCap-datadictionary of Castor-structuur (*.csv)</translation>
    </message>
    <message>
        <source>Castor&apos;s option groups for {name}</source>
        <translation>Optiegroepen van Castor voor {name}</translation>
    </message>
    <message>
        <source>Castor option groups (*.csv)</source>
        <translation>Castor-optiegroepen (*.csv)</translation>
    </message>
    <message>
        <source>Not imported: {reason}</source>
        <translation>Niet geïmporteerd: {reason}</translation>
    </message>
    <message>
        <source>Imported {count} fields from {name}. Check them, then save the task.</source>
        <translation>{count} velden geïmporteerd uit {name}. Controleer ze en sla de taak daarna op.</translation>
    </message>
</context>
<context>
    <name>UserGuide</name>
    <message>
        <source>Pluk user guide</source>
        <translation>Handleiding van Pluk</translation>
    </message>
    <message>
        <source>What Pluk does</source>
        <translation>Wat Pluk doet</translation>
    </message>
    <message>
        <source>Pluk reads a folder of reports and fills in, for every report, the fields of a task, with a language model that runs on this computer. Nothing leaves the computer: the only use of the network is downloading a model, when you ask for it.</source>
        <translation>Pluk leest een map met verslagen en vult voor elk verslag de velden van een taak in, met een taalmodel dat op deze computer draait. Niets verlaat de computer: het netwerk wordt alleen gebruikt om een model te downloaden, als u daarom vraagt.</translation>
    </message>
    <message>
        <source>1. Reports</source>
        <translation>1. Verslagen</translation>
    </message>
    <message>
        <source>Drop a folder or files on the window, or use Add folder…. Pluk reads txt, md, rtf, docx and pdf files and tables (csv, xlsx, jsonl). A file that cannot be read is listed in red with the reason; it becomes an error row in the results, never a silent gap. Your files are only read, never moved or changed.</source>
        <translation>Sleep een map of bestanden op het venster, of gebruik Map toevoegen…. Pluk leest txt-, md-, rtf-, docx- en pdf-bestanden en tabellen (csv, xlsx, jsonl). Een bestand dat niet te lezen is, staat in het rood in de lijst met de reden; het wordt een foutregel in de resultaten, nooit een stil gat. Uw bestanden worden alleen gelezen, nooit verplaatst of gewijzigd.</translation>
    </message>
    <message>
        <source>Group documents makes the documents of one patient or case one report: one report per folder, per value of a table column, or per pattern in the file names (a regular expression, as pluk extract --group-by takes it). The list shows how many documents each grouped report holds.</source>
        <translation>Documenten groeperen maakt van de documenten van één patiënt of casus één verslag: één verslag per map, per waarde van een tabelkolom, of per patroon in de bestandsnamen (een reguliere expressie, zoals pluk extract --group-by die neemt). De lijst toont hoeveel documenten elk gegroepeerd verslag bevat.</translation>
    </message>
    <message>
        <source>2. The task: what to extract</source>
        <translation>2. De taak: wat er wordt opgehaald</translation>
    </message>
    <message>
        <source>A task is a list of fields, each with a name, a type (yes/no, whole number, number, text, choice or list) and a description that tells the model what the field means. Built-in tasks cannot be changed: Edit a copy… saves your own version, and New… starts an empty one. The task editor shows the prompt the model will see.</source>
        <translation>Een taak is een lijst velden, elk met een naam, een soort (ja/nee, geheel getal, getal, tekst, keuze of lijst) en een beschrijving die het model vertelt wat het veld betekent. Ingebouwde taken kunnen niet worden gewijzigd: Een kopie bewerken… bewaart uw eigen versie, en Nieuw… begint met een lege. De taakeditor toont de prompt die het model te zien krijgt.</translation>
    </message>
    <message>
        <source>3. The model</source>
        <translation>3. Het taalmodel</translation>
    </message>
    <message>
        <source>Choose a model file (.gguf). Models… downloads one from the catalogue, or imports a file from a USB stick. Pluk checks the file when you choose it; a file that cannot be used is named with the reason and Run stays off.</source>
        <translation>Kies een modelbestand (.gguf). Taalmodellen… downloadt er een uit de catalogus, of importeert een bestand van een USB-stick. Pluk controleert het bestand zodra u het kiest; een onbruikbaar bestand wordt genoemd met de reden en Starten blijft uit.</translation>
    </message>
    <message>
        <source>Run, Stop and Resume</source>
        <translation>Starten, Stoppen en Hervatten</translation>
    </message>
    <message>
        <source>Run goes through every report; each result is saved as soon as it is done. Stop (or closing Pluk) ends the run after the current report: the finished reports are kept, and Resume continues the run without redoing them. Pluk offers to resume a run that was stopped by closing it, or interrupted by a crash, the next time it starts.</source>
        <translation>Starten loopt alle verslagen door; elk resultaat wordt bewaard zodra het klaar is. Stoppen (of Pluk sluiten) beëindigt de run na het huidige verslag: de afgeronde verslagen blijven bewaard, en Hervatten gaat verder zonder ze opnieuw te doen. Pluk biedt bij de volgende start aan een run te hervatten die door het sluiten is gestopt of door een crash is onderbroken.</translation>
    </message>
    <message>
        <source>Checking the results</source>
        <translation>De resultaten controleren</translation>
    </message>
    <message>
        <source>Every value is checked against the task: a value that does not fit is empty, with the reason, and never guessed. Select a row to see the report beside its values, with the passage each value comes from highlighted; an &apos;ungrounded&apos; value has no such passage and needs a look. The Review tab takes you through the reports, most uncertain first, to accept, correct or reject each value. The Validation tab compares a run with a table of your own labels and gives accuracy, kappa and error with 95% confidence intervals.</source>
        <translation>Elke waarde wordt getoetst aan de taak: een waarde die niet past, blijft leeg, met de reden, en wordt nooit geraden. Kies een rij om het verslag naast de waarden te zien, met de passage waar elke waarde vandaan komt gemarkeerd; een &apos;niet onderbouwde&apos; waarde heeft zo&apos;n passage niet en verdient een blik. Het tabblad Beoordelen leidt u door de verslagen, de onzekerste eerst, om elke waarde goed te keuren, te verbeteren of af te wijzen. Het tabblad Validatie vergelijkt een run met een tabel met uw eigen labels en geeft nauwkeurigheid, kappa en fout met 95%-betrouwbaarheidsintervallen.</translation>
    </message>
    <message>
        <source>The Reading column says which reports were read in sections (too long for the model&apos;s context), by OCR (scans, with the mean confidence) or grouped from several documents, and which have warnings; the Reading tab beside the values gives the details.</source>
        <translation>De kolom Inlezen toont welke verslagen in delen zijn gelezen (te lang voor de context van het model), met OCR (scans, met de gemiddelde zekerheid) of gegroepeerd uit meerdere documenten, en welke waarschuwingen hebben; het tabblad Inlezen naast de waarden geeft de details.</translation>
    </message>
    <message>
        <source>Review shortcuts</source>
        <translation>Sneltoetsen bij beoordelen</translation>
    </message>
    <message>
        <source>In the Review tab: A accepts the chosen value, Shift+A accepts every value of the report not yet reviewed and opens the next, C opens the correction (Enter saves it), R rejects with the chosen reason, N and P go to the next and previous report. The Results tab shows the reviewed values: ✓ accepted, ✎ corrected, ✗ rejected (struck through), the model&apos;s value in the tooltip.</source>
        <translation>Op het tabblad Beoordelen: A keurt de gekozen waarde goed, Shift+A keurt elke nog niet beoordeelde waarde van het verslag goed en opent het volgende, C opent de verbetering (Enter slaat haar op), R wijst af met de gekozen reden, N en P gaan naar het volgende en vorige verslag. Het tabblad Resultaten toont de beoordeelde waarden: ✓ goedgekeurd, ✎ verbeterd, ✗ afgewezen (doorgestreept), de waarde van het model in de tooltip.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Instellingen</translation>
    </message>
    <message>
        <source>CPU threads: the cores the model computes with. Reports at once: how many reports the model reads together (faster on a GPU, more memory). GPU layers: how much of the model goes on the graphics card (0: CPU only). Context limit: the most text read at once; a longer report is read in sections. Temperature: keep 0 for extraction, so the same report gives the same answer.</source>
        <translation>CPU-threads: de kernen waarmee het model rekent. Verslagen tegelijk: hoeveel verslagen het model samen leest (sneller op een GPU, meer geheugen). GPU-lagen: hoeveel van het model op de videokaart gaat (0: alleen CPU). Contextlimiet: de meeste tekst die in één keer wordt gelezen; een langer verslag wordt in delen gelezen. Temperatuur: houd 0 aan voor extractie, zodat hetzelfde verslag hetzelfde antwoord geeft.</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>Exporteren</translation>
    </message>
    <message>
        <source>Export… writes CSV, Excel, JSON or a web page with the evidence. The CSV uses the delimiter and decimal mark of this computer&apos;s spreadsheets unless you choose others in the export dialog or in Settings.</source>
        <translation>Exporteren… schrijft CSV, Excel, JSON of een webpagina met het bewijs. De CSV gebruikt het scheidingsteken en het decimaalteken van de rekenbladen op deze computer, tenzij u andere kiest in het exportvenster of in Instellingen.</translation>
    </message>
    <message>
        <source>Where the files go</source>
        <translation>Waar de bestanden staan</translation>
    </message>
    <message>
        <source>Runs (one folder per run, with the results, records.jsonl and manifest.json, which records the model, the task and every option): {runs}&lt;br&gt;Your own tasks: {tasks}&lt;br&gt;Models: {models}&lt;br&gt;The log file, for support: {log}</source>
        <translation>Runs (één map per run, met de resultaten, records.jsonl en manifest.json, waarin het model, de taak en elke optie staan): {runs}&lt;br&gt;Uw eigen taken: {tasks}&lt;br&gt;Taalmodellen: {models}&lt;br&gt;Het logbestand, voor ondersteuning: {log}</translation>
    </message>
</context>
<context>
    <name>ValidationPanel</name>
    <message>
        <source>Press Choose… to pick the reference table</source>
        <translation>Kies de referentietabel met Kiezen…</translation>
    </message>
    <message>
        <source>A CSV or XLSX table with one row per report</source>
        <translation>Een CSV- of XLSX-tabel met één rij per verslag</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Kiezen…</translation>
    </message>
    <message>
        <source>every field with a like-named column, or field=column, …</source>
        <translation>elk veld met een gelijknamige kolom, of veld=kolom, …</translation>
    </message>
    <message>
        <source>0, or e.g. 0.5 or psa=0.1, volume=2</source>
        <translation>0, of bijvoorbeeld 0.5 of psa=0.1, volume=2</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>Valideren</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>Rapport opslaan…</translation>
    </message>
    <message>
        <source>Reference table</source>
        <translation>Referentietabel</translation>
    </message>
    <message>
        <source>Id column</source>
        <translation>Id-kolom</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>Velden</translation>
    </message>
    <message>
        <source>Tolerance</source>
        <translation>Tolerantie</translation>
    </message>
    <message>
        <source>Open or finish a run, then choose the reference table to compare it with.</source>
        <translation>Open of voltooi een run en kies dan de referentietabel om die mee te vergelijken.</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Veld</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Soort</translation>
    </message>
    <message>
        <source>Disagreements</source>
        <translation>Verschillen</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Verslag</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referentie</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Voorspelling</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reden</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Alles tonen</translation>
    </message>
    <message>
        <source>Compare {run} with a reference table: choose it, check the id column, press Validate.</source>
        <translation>Vergelijk {run} met een referentietabel: kies die, controleer de id-kolom, druk op Valideren.</translation>
    </message>
    <message>
        <source>Reference tables (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)</source>
        <translation>Referentietabellen (*.csv *.tsv *.txt *.xlsx *.xlsm);;Alle bestanden (*)</translation>
    </message>
    <message>
        <source>Reading {name}…</source>
        <translation>{name} wordt gelezen…</translation>
    </message>
    <message numerus="yes">
        <source>%n column(s). Check the id column (it must hold the run&apos;s report ids), then press Validate.</source>
        <translation>
            <numerusform>%n kolom. Controleer de id-kolom (die moet de verslag-id’s van de run bevatten) en druk dan op Valideren.</numerusform>
            <numerusform>%n kolommen. Controleer de id-kolom (die moet de verslag-id’s van de run bevatten) en druk dan op Valideren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Validating (bootstrap intervals take a few seconds on large runs)…</source>
        <translation>Bezig met valideren (bootstrap-intervallen duren bij grote runs enkele seconden)…</translation>
    </message>
    <message>
        <source>{n} of {total} reference rows have a record</source>
        <translation>{n} van {total} referentierijen hebben een regel</translation>
    </message>
    <message>
        <source>; {n} without a record are not scored</source>
        <translation>; {n} zonder regel tellen niet mee</translation>
    </message>
    <message>
        <source>; {n} records are not in the table</source>
        <translation>; {n} regels staan niet in de tabel</translation>
    </message>
    <message>
        <source>. Not compared: </source>
        <translation>. Niet vergeleken: </translation>
    </message>
    <message>
        <source>. Estimates with 95% bootstrap intervals.</source>
        <translation>. Schattingen met 95%-bootstrap-intervallen.</translation>
    </message>
    <message numerus="yes">
        <source>Validated %n field(s) of {run} against {table}.</source>
        <translation>
            <numerusform>%n veld van {run} gevalideerd tegen {table}.</numerusform>
            <numerusform>%n velden van {run} gevalideerd tegen {table}.</numerusform>
        </translation>
    </message>
    <message>
        <source>Folder for the validation report</source>
        <translation>Map voor het validatierapport</translation>
    </message>
    <message>
        <source>Wrote {md} and {json}.</source>
        <translation>{md} en {json} geschreven.</translation>
    </message>
    <message>
        <source>Saved the validation report: {md} and {json}.</source>
        <translation>Het validatierapport is opgeslagen: {md} en {json}.</translation>
    </message>
    <message>
        <source>{n} of {total} disagreements: reference {truth}, prediction {prediction}</source>
        <translation>{n} van {total} verschillen: referentie {truth}, voorspelling {prediction}</translation>
    </message>
    <message numerus="yes">
        <source>%n disagreement(s)</source>
        <translation>
            <numerusform>%n verschil</numerusform>
            <numerusform>%n verschillen</numerusform>
        </translation>
    </message>
    <message>
        <source>No disagreements: every report agrees</source>
        <translation>Geen verschillen: elk verslag komt overeen</translation>
    </message>
    <message>
        <source>Compare the run with the reference table</source>
        <translation>Vergelijk de run met de referentietabel</translation>
    </message>
    <message>
        <source>Write validation.md and validation.json</source>
        <translation>validation.md en validation.json schrijven</translation>
    </message>
    <message>
        <source>Validate first</source>
        <translation>Valideer eerst</translation>
    </message>
    <message>
        <source>Wait: the table is being read or the run compared</source>
        <translation>Even geduld: de tabel wordt gelezen of de run vergeleken</translation>
    </message>
    <message>
        <source>A run is going on: validate when it has finished</source>
        <translation>Er loopt een run: valideer als die klaar is</translation>
    </message>
    <message>
        <source>Open a run (Previous runs) or finish one first</source>
        <translation>Open eerst een run (Eerdere runs) of voltooi er een</translation>
    </message>
    <message>
        <source>Choose the reference table first</source>
        <translation>Kies eerst de referentietabel</translation>
    </message>
    <message>
        <source>The reference table has no columns to match</source>
        <translation>De referentietabel heeft geen kolommen om te koppelen</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Nauwkeurigheid</translation>
    </message>
    <message>
        <source>Kappa</source>
        <translation>Kappa</translation>
    </message>
    <message>
        <source>Macro F1</source>
        <translation>Macro-F1</translation>
    </message>
    <message>
        <source>MAE</source>
        <translation>MAE</translation>
    </message>
    <message>
        <source>Within tolerance</source>
        <translation>Binnen de tolerantie</translation>
    </message>
    <message>
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>n.v.t.</translation>
    </message>
</context>
<context>
    <name>ValueEditor</name>
    <message>
        <source>— not stated in the report</source>
        <translation>— niet vermeld in het verslag</translation>
    </message>
    <message>
        <source>empty: not stated in the report</source>
        <translation>leeg: niet vermeld in het verslag</translation>
    </message>
    <message>
        <source>{field} is not valid JSON: {reason}</source>
        <translation>{field} is geen geldige JSON: {reason}</translation>
    </message>
    <message>
        <source>{text} is not a number</source>
        <translation>{text} is geen getal</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>Saved task {id} to {path}</source>
        <translation>Taak {id} opgeslagen in {path}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Exporteren mislukt</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n record(s) to {path}</source>
        <translation>
            <numerusform>%n regel geëxporteerd naar {path}</numerusform>
            <numerusform>%n regels geëxporteerd naar {path}</numerusform>
        </translation>
    </message>
    <message>
        <source>Left out: {notes}</source>
        <translation>Weggelaten: {notes}</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Pluk uses the new language the next time it starts.</source>
        <translation>Pluk gebruikt de nieuwe taal bij de volgende start.</translation>
    </message>
    <message>
        <source>A run is going on</source>
        <translation>Er loopt een run</translation>
    </message>
    <message>
        <source>Stop the current run before opening another one.</source>
        <translation>Stop de huidige run voordat u een andere opent.</translation>
    </message>
    <message>
        <source>Cannot open this run</source>
        <translation>Kan deze run niet openen</translation>
    </message>
    <message>
        <source>Resume the stopped run?</source>
        <translation>De gestopte run hervatten?</translation>
    </message>
    <message numerus="yes">
        <source>The run {folder} was stopped with %n report(s) done.

Resume continues it: the finished reports are kept and not redone.
New run does every report again, in a new run folder; the stopped run stays as it is.</source>
        <translation>
            <numerusform>De run {folder} is gestopt met %n verslag klaar.

Hervatten gaat ermee verder: de afgeronde verslagen blijven bewaard en worden niet opnieuw gedaan.
Nieuwe run doet elk verslag opnieuw, in een nieuwe runmap; de gestopte run blijft zoals hij is.</numerusform>
            <numerusform>De run {folder} is gestopt met %n verslagen klaar.

Hervatten gaat ermee verder: de afgeronde verslagen blijven bewaard en worden niet opnieuw gedaan.
Nieuwe run doet elk verslag opnieuw, in een nieuwe runmap; de gestopte run blijft zoals hij is.</numerusform>
        </translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Hervatten</translation>
    </message>
    <message>
        <source>New run</source>
        <translation>Nieuwe run</translation>
    </message>
    <message>
        <source>Cannot resume</source>
        <translation>Kan niet hervatten</translation>
    </message>
    <message>
        <source>About Pluk</source>
        <translation>Over Pluk</translation>
    </message>
    <message>
        <source>Offline extraction of structured data from clinical reports with a local language model.&lt;br&gt;Nothing leaves this computer.&lt;br&gt;&lt;br&gt;Log file: {path}</source>
        <translation>Offline gestructureerde gegevens uit klinische verslagen halen met een lokaal taalmodel.&lt;br&gt;Niets verlaat deze computer.&lt;br&gt;&lt;br&gt;Logbestand: {path}</translation>
    </message>
    <message>
        <source>was stopped when Pluk was closed</source>
        <translation>is gestopt toen Pluk werd gesloten</translation>
    </message>
    <message>
        <source>was interrupted (Pluk stopped during it)</source>
        <translation>is onderbroken (Pluk stopte tijdens de run)</translation>
    </message>
    <message numerus="yes">
        <source>The run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, with %n report(s) done. Resume it? The finished reports are kept and not redone. Not now leaves it in Previous runs, where Resume continues it later.</source>
        <translation>
            <numerusform>De run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, met %n verslag klaar. Hervatten? De afgeronde verslagen blijven bewaard en worden niet opnieuw gedaan. Niet nu laat de run staan in Eerdere runs, waar Hervatten er later mee verdergaat.</numerusform>
            <numerusform>De run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, met %n verslagen klaar. Hervatten? De afgeronde verslagen blijven bewaard en worden niet opnieuw gedaan. Niet nu laat de run staan in Eerdere runs, waar Hervatten er later mee verdergaat.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Niet nu</translation>
    </message>
    <message>
        <source>Stop the model transfer?</source>
        <translation>De overdracht van het model stoppen?</translation>
    </message>
    <message>
        <source>{job} is going on. Stop it and quit? A download continues where it stopped the next time.</source>
        <translation>{job} is bezig. Stoppen en afsluiten? Een download gaat de volgende keer verder waar hij stopte.</translation>
    </message>
    <message>
        <source>Quit during the run?</source>
        <translation>Afsluiten tijdens de run?</translation>
    </message>
    <message numerus="yes">
        <source>A run is going on, with %n report(s) done so far.

Quit stops it after the report in progress. The finished reports are kept, and the next time Pluk starts it offers to resume the run without redoing them.</source>
        <translation>
            <numerusform>Er loopt een run, met tot nu toe %n verslag klaar.

Afsluiten stopt de run na het verslag dat bezig is. De afgeronde verslagen blijven bewaard, en bij de volgende start biedt Pluk aan de run te hervatten zonder ze opnieuw te doen.</numerusform>
            <numerusform>Er loopt een run, met tot nu toe %n verslagen klaar.

Afsluiten stopt de run na het verslag dat bezig is. De afgeronde verslagen blijven bewaard, en bij de volgende start biedt Pluk aan de run te hervatten zonder ze opnieuw te doen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop the run and quit</source>
        <translation>Run stoppen en afsluiten</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>Laten doorgaan</translation>
    </message>
</context>
</TS>
