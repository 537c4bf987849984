<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <location filename="../../desktop/ui/app.py" line="+141"/>
        <source>The model could not be loaded</source>
        <translation>Das Modell konnte nicht geladen werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Iris Field cannot identify flowers until the model is repaired.</source>
        <translation>Iris Field kann keine Blüten bestimmen, bis das Modell repariert ist.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You can still browse, export and edit the saved observations. Reinstalling Iris Field restores the model.</source>
        <translation>Gespeicherte Beobachtungen können Sie weiterhin ansehen, exportieren und bearbeiten. Eine Neuinstallation von Iris Field stellt das Modell wieder her.</translation>
    </message>
    <message>
        <location line="-46"/>
        <location line="+57"/>
        <source>The history was damaged</source>
        <translation>Der Verlauf war beschädigt</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>The history cannot be opened</source>
        <translation>Der Verlauf kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Observations cannot be saved until this is fixed; predictions still work.</source>
        <translation>Beobachtungen können erst gespeichert werden, wenn das behoben ist; die Bestimmung funktioniert weiterhin.</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>The history file is damaged. When Iris Field next starts, it copies every readable observation into a fresh history and keeps the damaged file beside it. Export what you need as CSV now, then restart.</source>
        <translation>Die Verlaufsdatei ist beschädigt. Beim nächsten Start übernimmt Iris Field jede lesbare Beobachtung in einen neuen Verlauf und behält die beschädigte Datei daneben. Exportieren Sie jetzt, was Sie brauchen, als CSV und starten Sie dann neu.</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Repairing the observation history: every observation that can still be read is copied into a fresh history. With many observations this takes a few minutes.</source>
        <translation>Der Beobachtungsverlauf wird repariert: Jede Beobachtung, die sich noch lesen lässt, wird in einen neuen Verlauf kopiert. Bei vielen Beobachtungen dauert das einige Minuten.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preparing the observation history for fast search. This happens once, after an update.</source>
        <translation>Der Beobachtungsverlauf wird für die schnelle Suche vorbereitet. Das geschieht einmal, nach einem Update.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../desktop/ui/crash_dialog.py" line="+23"/>
        <source>Iris Field – unexpected problem</source>
        <translation>Iris Field – unerwartetes Problem</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Something went wrong that Iris Field did not expect.</source>
        <translation>Etwas ist schiefgegangen, womit Iris Field nicht gerechnet hat.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your saved observations are safe. The details were written to the log file
{log}

If this happens again, please send that file to your lab contact.</source>
        <translation>Ihre gespeicherten Beobachtungen sind sicher. Die Einzelheiten stehen in der Protokolldatei
{log}

Wenn das wieder passiert, schicken Sie diese Datei bitte an Ihre Ansprechperson im Labor.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open log folder</source>
        <translation>Protokollordner öffnen</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="+32"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="+90"/>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
</context>
<context>
    <name>GeneralSettingsPage</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="+50"/>
        <source>Same as the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. A. Botanist</source>
        <translation>z. B. A. Botanikerin</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Observer name</source>
        <translation>Name der beobachtenden Person</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The observer name is saved with every new observation.</source>
        <translation>Der Name wird mit jeder neuen Beobachtung gespeichert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Observer name</source>
        <translation>&amp;Beobachtet von</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../../desktop/ui/history_panel.py" line="+340"/>
        <source>The history cannot be read</source>
        <translation>Der Verlauf kann nicht gelesen werden</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Matches: {count}</source>
        <translation>Treffer: {count}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Observations: {count}</source>
        <translation>Beobachtungen: {count}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>No saved observation matches “{text}”.</source>
        <translation>Keine gespeicherte Beobachtung passt zu „{text}“.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No observations saved yet.

Set the four measurements on the left, add a note or place if you like, then press “Save observation” (Ctrl+S). Saved observations appear here, newest first.</source>
        <translation>Noch keine Beobachtungen gespeichert.

Stellen Sie links die vier Maße ein, ergänzen Sie bei Bedarf eine Notiz oder den Ort und drücken Sie „Beobachtung speichern“ (Strg+S). Gespeicherte Beobachtungen erscheinen hier, die neueste zuerst.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>{species} (as predicted)</source>
        <translation>{species} (wie vorhergesagt)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not checked yet</source>
        <translation>Noch nicht geprüft</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The species could not be recorded</source>
        <translation>Die Art konnte nicht eingetragen werden</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+170"/>
        <source>Delete observation</source>
        <translation>Beobachtung löschen</translation>
    </message>
    <message>
        <location line="-168"/>
        <source>Delete the observation of {species} from {time}? It disappears from this history. A copy already synced to the server stays there.</source>
        <translation>Die Beobachtung von {species} vom {time} löschen? Sie verschwindet aus diesem Verlauf. Eine bereits auf den Server übertragene Kopie bleibt dort erhalten.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The observation could not be deleted</source>
        <translation>Die Beobachtung konnte nicht gelöscht werden</translation>
    </message>
    <message numerus="yes">
        <location line="+57"/>
        <source>Brought %n observation(s) back into the history.</source>
        <translation>
            <numerusform>%n Beobachtung zurückgeholt.</numerusform>
            <numerusform>%n Beobachtungen zurückgeholt.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export observations as CSV</source>
        <translation>Beobachtungen als CSV exportieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The CSV file could not be written</source>
        <translation>Die CSV-Datei konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing was exported to {path}.</source>
        <translation>Nach {path} wurde nichts exportiert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another folder and try again.</source>
        <translation>Wählen Sie einen anderen Ordner und versuchen Sie es erneut.</translation>
    </message>
    <message numerus="yes">
        <location line="-9"/>
        <source>Exported %n observation(s) to {path}.</source>
        <translation>
            <numerusform>%n Beobachtung nach {path} exportiert.</numerusform>
            <numerusform>%n Beobachtungen nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="-185"/>
        <source>No saved observation matches the chosen species, sync state and time.</source>
        <translation>Keine gespeicherte Beobachtung passt zu Art, Sync-Status und Zeitraum.</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>Deleted. Ctrl+Z brings it back.</source>
        <translation>Gelöscht. Strg+Z holt sie zurück.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The observation could not be brought back</source>
        <translation>Die Beobachtung konnte nicht zurückgeholt werden</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search species, note, place, observer…</source>
        <translation>Art, Notiz, Ort, Person suchen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search the history</source>
        <translation>Verlauf durchsuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved observations, newest first</source>
        <translation>Gespeicherte Beobachtungen, neueste zuerst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Restore measurements</source>
        <translation>Maße &amp;übernehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Put this observation&apos;s measurements back into the sliders</source>
        <translation>Die Maße dieser Beobachtung wieder in die Schieberegler übernehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Undo delete</source>
        <translation>Löschen &amp;rückgängig</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recentl&amp;y deleted…</source>
        <translation>&amp;Kürzlich gelöscht…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>List the observations deleted lately and bring any of them back</source>
        <translation>Die zuletzt gelöschten Beobachtungen anzeigen und beliebige davon zurückholen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Export as CSV…</source>
        <translation>Als CSV &amp;exportieren …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Confirm species</source>
        <translation>Art &amp;bestätigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+6"/>
        <source>Confirm species</source>
        <translation>Art bestätigen</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Record the species you determined for this flower</source>
        <translation>Die Art eintragen, die Sie für diese Blüte bestimmt haben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete…</source>
        <translation>Löschen …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restore measurements</source>
        <translation>Messwerte übernehmen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export as CSV</source>
        <translation>Als CSV exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the observations shown, all or those found, to a CSV file</source>
        <translation>Die angezeigten Beobachtungen – alle oder die gefundenen – in eine CSV-Datei schreiben</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove the selected observation from this history</source>
        <translation>Die gewählte Beobachtung aus diesem Verlauf entfernen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Shows only observations whose words contain all of these</source>
        <translation>Zeigt nur Beobachtungen, deren Wörter all dies enthalten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Arrow keys choose an observation; Tab moves on to the buttons below</source>
        <translation>Pfeiltasten wählen eine Beobachtung; Tab geht weiter zu den Schaltflächen darunter</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All species</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show species</source>
        <translation>Art anzeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any sync state</source>
        <translation>Jeder Sync-Status</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Show sync state</source>
        <translation>Sync-Status anzeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Any time</source>
        <translation>Jederzeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 12 months</source>
        <translation>Letzte 12 Monate</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Show observations measured</source>
        <translation>Beobachtungen anzeigen aus</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>Counting observations</source>
        <translation>Beobachtungen werden gezählt</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <location filename="../../desktop/ui/history_model.py" line="+170"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Species</source>
        <translation>Art</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confidence</source>
        <translation>Sicherheit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checked</source>
        <translation>Geprüft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note / place</source>
        <translation>Notiz / Ort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>syncing</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>synced</source>
        <translation>übertragen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>unlike any training flower</source>
        <translation>anders als jede Trainingsblüte</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>model: {species} {percent}</source>
        <translation>Modell: {species} {percent}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>confirmed</source>
        <translation>bestätigt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>corrected</source>
        <translation>korrigiert</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Unlike any flower the model was trained on: its best guess was {species}, but no percentage can be trusted (model {name} v{version})</source>
        <translation>Anders als jede Blüte, mit der das Modell trainiert wurde: seine Vermutung war {species}, aber keiner Prozentangabe ist zu trauen (Modell {name} v{version})</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model said {species} ({percent}), model {name} v{version}</source>
        <translation>Modell sagte {species} ({percent}), Modell {name} v{version}</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Outside the training range: {names}</source>
        <translation>Außerhalb des Trainingsbereichs: {names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Observer: {name}</source>
        <translation>Beobachtet von: {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note: {note}</source>
        <translation>Notiz: {note}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Location: {place}</source>
        <translation>Ort: {place}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sync problem: {error}</source>
        <translation>Problem beim Abgleich: {error}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/qt_main_window.py" line="+332"/>
        <source>Not saved: a typed value was not taken, see above.</source>
        <translation>Nicht gespeichert: Ein eingegebener Wert wurde nicht übernommen, siehe oben.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Set the measurements first: the starting values are not a measured flower.</source>
        <translation>Stellen Sie zuerst die Maße ein: Die Startwerte sind keine gemessene Blüte.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Save the same measurements again?</source>
        <translation>Dieselben Maße noch einmal speichern?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>These measurements were already saved at {time} ({species}). Save them again as a second flower?</source>
        <translation>Diese Maße wurden bereits um {time} gespeichert ({species}). Als zweite Blüte noch einmal speichern?</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save again</source>
        <translation>Noch einmal speichern</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The observation was not saved</source>
        <translation>Die Beobachtung wurde nicht gespeichert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your measurements are still set: correct the problem and save again.</source>
        <translation>Ihre Maße sind noch eingestellt: Beheben Sie das Problem und speichern Sie erneut.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Saved {species} at {time}.</source>
        <translation>{species} gespeichert ({time}).</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Restored the measurements of {species} from {time}.</source>
        <translation>Maße von {species} vom {time} übernommen.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>History not available</source>
        <translation>Verlauf nicht verfügbar</translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>%Ln pending</source>
        <translation>
            <numerusform>%Ln ausstehend</numerusform>
            <numerusform>%Ln ausstehend</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln failed</source>
        <translation>
            <numerusform>%Ln fehlgeschlagen</numerusform>
            <numerusform>%Ln fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Identifies Iris species offline from four flower measurements.</source>
        <translation>Bestimmt Iris-Arten offline aus vier Blütenmaßen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model {name} version {version} ({alias}), created {created}.</source>
        <translation>Modell {name} Version {version} ({alias}), erstellt {created}.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Accuracy on held-out flowers: {percent}.</source>
        <translation>Genauigkeit auf zurückgehaltenen Blüten: {percent}.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>History: {path}</source>
        <translation>Verlauf: {path}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>About Iris Field</source>
        <translation>Über Iris Field</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The settings could not be saved</source>
        <translation>Die Einstellungen konnten nicht gespeichert werden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>They apply until Iris Field is closed.</source>
        <translation>Sie gelten, bis Iris Field geschlossen wird.</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Observation</source>
        <translation>&amp;Beobachtung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sync</source>
        <translation>&amp;Abgleich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save observation</source>
        <translation>Beobachtung &amp;speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep these measurements and the model&apos;s answer in the history</source>
        <translation>Diese Maße und die Antwort des Modells im Verlauf speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;ettings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Find in history</source>
        <translation>Im Verlauf &amp;suchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About Iris Field</source>
        <translation>Ü&amp;ber Iris Field</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Saving is off: {reason}. You can still browse and export the history.</source>
        <translation>Speichern ist ausgeschaltet: {reason}. Sie können den Verlauf weiterhin ansehen und exportieren.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Species</source>
        <translation>Art</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Predictions are switched off: the model could not be loaded.

{reason}

You can still browse, confirm, export and delete saved observations. Reinstalling Iris Field restores the model.</source>
        <translation>Keine Bestimmung möglich: Das Modell konnte nicht geladen werden.

{reason}

Gespeicherte Beobachtungen können Sie weiterhin ansehen, bestätigen, exportieren und löschen. Eine Neuinstallation von Iris Field stellt das Modell wieder her.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Model {name} v{version} ({alias})</source>
        <translation>Modell {name} v{version} ({alias})</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Data: {folder}</source>
        <translation>Daten: {folder}</translation>
    </message>
</context>
<context>
    <name>MeasurementPanel</name>
    <message>
        <location filename="../../desktop/ui/measurement_panel.py" line="+193"/>
        <source>{name}: “{typed}” was not taken. {reason} The value stays {kept} {unit}.</source>
        <translation>{name}: „{typed}“ wurde nicht übernommen. {reason} Der Wert bleibt {kept} {unit}.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Measurements</source>
        <translation>Maße</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The model was trained on {low}–{high} {unit}.</source>
        <translation>Das Modell wurde mit {low}–{high} {unit} trainiert.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Arrow keys change it by 0.1 {unit}, Page Up and Page Down by 1 {unit}.</source>
        <translation>Pfeiltasten ändern um 0,1 {unit}, Bild auf und Bild ab um 1 {unit}.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} in {unit}</source>
        <translation>{name} in {unit}</translation>
    </message>
</context>
<context>
    <name>MeasurementSpinBox</name>
    <message>
        <location filename="../../desktop/ui/measurement_spin_box.py" line="+57"/>
        <source>“{typed}” is not a number; type it like {example}.</source>
        <translation>„{typed}“ ist keine Zahl; schreiben Sie sie wie {example}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{value} {unit} is outside the plausible range {low}–{high} {unit}.</source>
        <translation>{value} {unit} liegt außerhalb des plausiblen Bereichs {low}–{high} {unit}.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{value} has more decimals than the model&apos;s precision of {step} {unit}.</source>
        <translation>{value} hat mehr Nachkommastellen als die Genauigkeit des Modells von {step} {unit}.</translation>
    </message>
</context>
<context>
    <name>ModelCard</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="-76"/>
        <source>Sepal length</source>
        <translation>Kelchblattlänge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sepal width</source>
        <translation>Kelchblattbreite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Petal length</source>
        <translation>Kronblattlänge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Petal width</source>
        <translation>Kronblattbreite</translation>
    </message>
</context>
<context>
    <name>ModelDeliveryController</name>
    <message>
        <location filename="../../desktop/ui/model_controller.py" line="+92"/>
        <source>Model {name} v{version} ({alias})</source>
        <translation>Modell {name} v{version} ({alias})</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{model} · released {date}</source>
        <translation>{model} · veröffentlicht {date}</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>⚠ confirmed %n day(s) ago</source>
        <translation>
            <numerusform>⚠ vor %n Tag bestätigt</numerusform>
            <numerusform>⚠ vor %n Tagen bestätigt</numerusform>
        </translation>
    </message>
    <message>
        <location line="+22"/>
        <source>No lab server is set</source>
        <translation>Kein Laborserver eingestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set the lab&apos;s MLflow server in Settings → Sync, or install a model file.</source>
        <translation>Stellen Sie den MLflow-Server des Labors unter Einstellungen → Abgleich ein, oder installieren Sie eine Modelldatei.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>The lab&apos;s server could not be asked</source>
        <translation>Der Server des Labors war nicht erreichbar</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>A new model was refused</source>
        <translation>Ein neues Modell wurde abgelehnt</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>The model is up to date.</source>
        <translation>Das Modell ist aktuell.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The lab&apos;s new model was refused and the current one kept: {reason}</source>
        <translation>Das neue Modell des Labors wurde abgelehnt, das bisherige bleibt: {reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The lab replaced its signing key {old} by {new}: models signed with {old} are refused from now on.</source>
        <translation>Das Labor hat seinen Signaturschlüssel {old} durch {new} ersetzt: Mit {old} signierte Modelle werden ab jetzt abgelehnt.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The challenger model v{version} became the champion; it no longer runs in the background.</source>
        <translation>Das Herausforderer-Modell v{version} ist jetzt das Hauptmodell; es läuft nicht mehr im Hintergrund mit.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The lab ended the challenger model v{version}; it no longer runs in the background.</source>
        <translation>Das Labor hat das Herausforderer-Modell v{version} beendet; es läuft nicht mehr im Hintergrund mit.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>A challenger model v{version} from the lab now runs in the background.</source>
        <translation>Ein Herausforderer-Modell v{version} des Labors läuft jetzt im Hintergrund mit.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New model v{version} from the lab: cross-validated accuracy {new}, was {old}.</source>
        <translation>Neues Modell v{version} vom Labor: kreuzvalidierte Genauigkeit {new}, bisher {old}.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New model v{version} from the lab.</source>
        <translation>Neues Modell v{version} vom Labor.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It replaces the model Iris Field was installed with.</source>
        <translation>Es ersetzt das Modell, mit dem Iris Field installiert wurde.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New model</source>
        <translation>Neues Modell</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The model file was not installed</source>
        <translation>Die Modelldatei wurde nicht installiert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model in use stays as it was.</source>
        <translation>Das verwendete Modell bleibt unverändert.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The lab confirmed its release {sequence} as current on {date}.</source>
        <translation>Das Labor hat am {date} Release {sequence} als aktuell bestätigt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The file holds nothing new; nothing changed.</source>
        <translation>Die Datei enthält nichts Neues; nichts wurde geändert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Install model file</source>
        <translation>Modelldatei installieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Iris Field models and lab statements (*.irismodel *.json)</source>
        <translation>Iris-Field-Modelle und Erklärungen des Labors (*.irismodel *.json)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>There is no previous model</source>
        <translation>Es gibt kein vorheriges Modell</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Now predicting with {model}.</source>
        <translation>Bestimmt jetzt mit {model}.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Install model file…</source>
        <translation>Modelldatei &amp;installieren …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model…</source>
        <translation>&amp;Modell …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check for model &amp;update</source>
        <translation>Nach neuem Modell &amp;suchen</translation>
    </message>
</context>
<context>
    <name>ModelDialog</name>
    <message>
        <location filename="../../desktop/ui/model_dialog.py" line="+39"/>
        <location line="+4"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Source</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Bundled with Iris Field</source>
        <translation>Mit Iris Field ausgeliefert</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Registry</source>
        <translation>Registry</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Release</source>
        <translation>Veröffentlichung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{sequence}, published {date}</source>
        <translation>{sequence}, veröffentlicht am {date}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed by key</source>
        <translation>Signiert mit Schlüssel</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Confirmed by the lab</source>
        <translation>Vom Labor bestätigt</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n day(s) ago ({date})</source>
        <translation>
            <numerusform>vor %n Tag ({date})</numerusform>
            <numerusform>vor %n Tagen ({date})</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training data</source>
        <translation>Trainingsdaten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cross-validated accuracy</source>
        <translation>Kreuzvalidierte Genauigkeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy on held-out flowers</source>
        <translation>Genauigkeit auf zurückgehaltenen Blüten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Macro F1 on held-out flowers</source>
        <translation>Makro-F1 auf zurückgehaltenen Blüten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training run</source>
        <translation>Trainingslauf</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not passed by the lab&apos;s quality gate; the lab shipped it because: {reason}</source>
        <translation>Von der Qualitätsprüfung des Labors nicht freigegeben; das Labor hat es trotzdem ausgeliefert, weil: {reason}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The lab confirmed this model longer ago than the {period} days its card allows. It still predicts; connect to the lab&apos;s server or ask the lab for a current model file.</source>
        <translation>Das Labor hat dieses Modell vor längerer Zeit bestätigt, als die {period} Tage seiner Modellkarte erlauben. Es sagt weiter vorher; verbinden Sie sich mit dem Server des Labors oder bitten Sie das Labor um eine aktuelle Modelldatei.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Use previous model</source>
        <translation>Vorheriges Modell verwenden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go back to the model that predicted before this one</source>
        <translation>Zum Modell zurückkehren, das vorher bestimmt hat</translation>
    </message>
</context>
<context>
    <name>ProblemWords</name>
    <message>
        <location filename="../../desktop/ui/problem_words.py" line="+46"/>
        <source>The model Iris Field was installed with is already in use; there is no earlier one.</source>
        <translation>Das Modell, mit dem Iris Field installiert wurde, ist bereits in Gebrauch; ein früheres gibt es nicht.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The model file {path} is missing.</source>
        <translation>Die Modelldatei {path} fehlt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model file {path} cannot be read ({detail}).</source>
        <translation>Die Modelldatei {path} kann nicht gelesen werden ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model file {path} does not match its card: it was changed or damaged.</source>
        <translation>Die Modelldatei {path} passt nicht zu ihrer Modellkarte: Sie wurde verändert oder beschädigt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model file {path} is not a usable ONNX model.</source>
        <translation>Die Modelldatei {path} ist kein verwendbares ONNX-Modell.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model file {path} does not read the measurements or give the species its card lists.</source>
        <translation>Die Modelldatei {path} liest nicht die Maße oder nennt nicht die Arten, die ihre Modellkarte aufführt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model card {path} is missing.</source>
        <translation>Die Modellkarte {path} fehlt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model card {path} cannot be read ({detail}).</source>
        <translation>Die Modellkarte {path} kann nicht gelesen werden ({detail}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model card {path} is damaged or incomplete.</source>
        <translation>Die Modellkarte {path} ist beschädigt oder unvollständig.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model card {path} is written for a newer Iris Field (card version {version}, this version reads {known}). Please update Iris Field.</source>
        <translation>Die Modellkarte {path} ist für ein neueres Iris Field geschrieben (Kartenversion {version}, diese Version liest {known}). Bitte aktualisieren Sie Iris Field.</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>The training run {run} of the released model is gone from the server.</source>
        <translation>Der Trainingslauf {run} des freigegebenen Modells ist auf dem Server nicht mehr vorhanden.</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>Settings → Sync</source>
        <translation>Einstellungen → Abgleich</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Correct it in Settings → Sync.</source>
        <translation>Korrigieren Sie sie unter Einstellungen → Abgleich.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>“{address}” is not the http:// or https:// address of an MLflow server.</source>
        <translation>„{address}“ ist keine http://- oder https://-Adresse eines MLflow-Servers.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server address “{address}” must not contain ? or #.</source>
        <translation>Die Serveradresse „{address}“ darf weder ? noch # enthalten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the user name and password in {settings}, not in the server address.</source>
        <translation>Tragen Sie Benutzername und Passwort unter {settings} ein, nicht in die Serveradresse.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set either {cert} or {insecure}, not both.</source>
        <translation>Setzen Sie entweder {cert} oder {insecure}, nicht beide.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server name in {uri} cannot be found: the laptop is offline, or the address has a typo.</source>
        <translation>Der Servername in {uri} wurde nicht gefunden: Der Laptop ist offline, oder die Adresse enthält einen Tippfehler.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The lab&apos;s server at {host} cannot be reached.</source>
        <translation>Der Server des Labors unter {host} ist nicht erreichbar.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The lab&apos;s server at {host} did not answer in time.</source>
        <translation>Der Server des Labors unter {host} hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The certificate of the server {host} cannot be verified ({detail}). Check the address in {settings}, or ask the lab.</source>
        <translation>Das Zertifikat des Servers {host} lässt sich nicht prüfen ({detail}). Prüfen Sie die Adresse unter {settings} oder fragen Sie im Labor nach.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The connection to {host} broke off before the answer arrived.</source>
        <translation>Die Verbindung zu {host} brach ab, bevor die Antwort ankam.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The connection to {host} failed ({detail}).</source>
        <translation>Die Verbindung zu {host} ist fehlgeschlagen ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The lab&apos;s server at {host} refused the user name, password or token (HTTP {status}). Check them in {settings}.</source>
        <translation>Der Server des Labors unter {host} hat Benutzername, Passwort oder Token abgelehnt (HTTP {status}). Prüfen Sie die Angaben unter {settings}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server at {host} sends requests on to {target}. If that is the lab&apos;s server, enter that address in {settings}.</source>
        <translation>Der Server unter {host} leitet Anfragen an {target} weiter. Wenn das der Server des Labors ist, tragen Sie diese Adresse unter {settings} ein.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server at {host} answered with {content} instead of MLflow data (perhaps a sign-in page of the network).</source>
        <translation>Der Server unter {host} hat mit {content} statt mit MLflow-Daten geantwortet (vielleicht eine Anmeldeseite des Netzwerks).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The lab&apos;s server at {host} had a problem (HTTP {status}: {detail}).</source>
        <translation>Der Server des Labors unter {host} hatte ein Problem (HTTP {status}: {detail}).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No MLflow server answers at {uri} (HTTP {status}). Check the address in {settings}.</source>
        <translation>Unter {uri} antwortet kein MLflow-Server (HTTP {status}). Prüfen Sie die Adresse unter {settings}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The lab&apos;s server refused the request (HTTP {status}{code}: {detail}).</source>
        <translation>Der Server des Labors hat die Anfrage abgelehnt (HTTP {status}{code}: {detail}).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The lab&apos;s server keeps its files at {location}, out of this app&apos;s reach; the lab must serve them through the server (mlflow server --serve-artifacts).</source>
        <translation>Der Server des Labors legt seine Dateien unter {location} ab, außer Reichweite dieser App; das Labor muss sie über den Server bereitstellen (mlflow server --serve-artifacts).</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The key file {path} cannot be read ({detail}).</source>
        <translation>Die Schlüsseldatei {path} kann nicht gelesen werden ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} is the lab&apos;s private signing key. Give the laptop the public key (.pub file) instead, and keep the signing key secret.</source>
        <translation>{path} ist der private Signaturschlüssel des Labors. Geben Sie dem Laptop stattdessen den öffentlichen Schlüssel (.pub-Datei) und halten Sie den Signaturschlüssel geheim.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{path} is not a public key file.</source>
        <translation>{path} ist keine Datei mit einem öffentlichen Schlüssel.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} holds a kind of key that models are not signed with (an Ed25519 key is needed).</source>
        <translation>{path} enthält eine Schlüsselart, mit der keine Modelle signiert werden (nötig ist ein Ed25519-Schlüssel).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The key {fingerprint} is already trusted.</source>
        <translation>Dem Schlüssel {fingerprint} wird bereits vertraut.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The key cannot be kept in {folder} ({detail}).</source>
        <translation>Der Schlüssel kann nicht in {folder} abgelegt werden ({detail}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No trusted key has the fingerprint {fingerprint}.</source>
        <translation>Kein vertrauenswürdiger Schlüssel hat den Fingerabdruck {fingerprint}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The lab replaced the key {fingerprint} by the key {replaced_by}; it is never trusted again.</source>
        <translation>Das Labor hat den Schlüssel {fingerprint} durch den Schlüssel {replaced_by} ersetzt; ihm wird nie wieder vertraut.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The record of installed models is damaged, so the bundled model predicts.</source>
        <translation>Das Verzeichnis der installierten Modelle ist beschädigt, daher sagt das mitgelieferte Modell voraus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The installed model cannot be used, so the bundled model predicts.</source>
        <translation>Das installierte Modell kann nicht verwendet werden, daher sagt das mitgelieferte Modell voraus.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the folder {folder} is read-only</source>
        <translation>der Ordner {folder} ist schreibgeschützt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the history file {path} is read-only</source>
        <translation>die Verlaufsdatei {path} ist schreibgeschützt</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No observation could be recovered from a damaged history; the original is kept as {file}. This message returns at every start until that file is moved away.</source>
        <translation>Aus einem beschädigten Verlauf konnte keine Beobachtung gerettet werden; das Original bleibt als {file} erhalten. Diese Meldung erscheint bei jedem Start, bis die Datei an einen anderen Ort verschoben ist.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%Ln observation(s) were recovered from a damaged history; the original is kept as {file}.</source>
        <translation>
            <numerusform>%Ln Beobachtung wurde aus einem beschädigten Verlauf gerettet; das Original bleibt als {file} erhalten.</numerusform>
            <numerusform>%Ln Beobachtungen wurden aus einem beschädigten Verlauf gerettet; das Original bleibt als {file} erhalten.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>How many could not be read is unknown.</source>
        <translation>Wie viele nicht gelesen werden konnten, ist unbekannt.</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln could not be read.</source>
        <translation>
            <numerusform>%Ln konnte nicht gelesen werden.</numerusform>
            <numerusform>%Ln konnten nicht gelesen werden.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>None was lost.</source>
        <translation>Keine ging verloren.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing can be saved: {reason}.</source>
        <translation>Es kann nichts gespeichert werden: {reason}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The folder {folder} for the observation history cannot be created ({detail}).</source>
        <translation>Der Ordner {folder} für den Beobachtungsverlauf kann nicht angelegt werden ({detail}).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The observation history {path} cannot be opened ({detail}). Check that its folder exists and may be written.</source>
        <translation>Der Beobachtungsverlauf {path} kann nicht geöffnet werden ({detail}). Prüfen Sie, ob sein Ordner existiert und beschrieben werden darf.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Where the observation history {path} should be, there is a folder or another thing that is not a file. Move it away, then start Iris Field again.</source>
        <translation>Wo der Beobachtungsverlauf {path} liegen sollte, liegt ein Ordner oder etwas anderes, das keine Datei ist. Verschieben Sie es und starten Sie Iris Field dann neu.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The observation history {path} cannot be read ({detail}).</source>
        <translation>Der Beobachtungsverlauf {path} kann nicht gelesen werden ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The observation history {path} is damaged: a saved observation cannot be read. Start Iris Field again to recover every observation still readable.</source>
        <translation>Der Beobachtungsverlauf {path} ist beschädigt: eine gespeicherte Beobachtung kann nicht gelesen werden. Starten Sie Iris Field neu, um jede noch lesbare Beobachtung wiederherzustellen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The observation history {path} cannot be written ({detail}).</source>
        <translation>In den Beobachtungsverlauf {path} kann nicht geschrieben werden ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The observation history {path} was written by a newer version of Iris Field (schema {version}, this version knows {known}). Please update Iris Field.</source>
        <translation>Der Beobachtungsverlauf {path} wurde von einer neueren Version von Iris Field geschrieben (Schema {version}, diese Version kennt {known}). Bitte aktualisieren Sie Iris Field.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no saved observation with the id {id}; it may have been removed meanwhile.</source>
        <translation>Es gibt keine gespeicherte Beobachtung mit der Kennung {id}; vielleicht wurde sie inzwischen entfernt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An observation with the same id is already saved.</source>
        <translation>Eine Beobachtung mit derselben Kennung ist bereits gespeichert.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The observation history {path} is damaged and could not be moved aside ({detail}). Move or copy it away yourself, then start Iris Field again to begin a new history.</source>
        <translation>Der Beobachtungsverlauf {path} ist beschädigt und konnte nicht beiseitegelegt werden ({detail}). Verschieben oder kopieren Sie ihn selbst an einen anderen Ort und starten Sie Iris Field dann erneut, um einen neuen Verlauf zu beginnen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The observation history {path} is damaged. It was moved aside to {aside}, but its observations could not be copied into a new history ({detail}). Free some space and start Iris Field again to recover them.</source>
        <translation>Der Beobachtungsverlauf {path} ist beschädigt. Er wurde als {aside} beiseitegelegt, aber seine Beobachtungen konnten nicht in einen neuen Verlauf kopiert werden ({detail}). Schaffen Sie Platz und starten Sie Iris Field erneut, um sie zu retten.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The history&apos;s index file {path} is left over from an earlier run and cannot be removed ({detail}). Remove it (it holds no observations), then start Iris Field again.</source>
        <translation>Die Indexdatei {path} des Verlaufs ist von einem früheren Lauf übrig und kann nicht entfernt werden ({detail}). Entfernen Sie sie (sie enthält keine Beobachtungen) und starten Sie Iris Field neu.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{path} cannot be written: the folder {folder} does not exist.</source>
        <translation>{path} kann nicht geschrieben werden: Der Ordner {folder} existiert nicht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} cannot be written ({detail}); it is unchanged.</source>
        <translation>{path} kann nicht geschrieben werden ({detail}); die Datei bleibt unverändert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The model is not signed by the lab, so it could come from anyone.</source>
        <translation>Das Modell ist nicht vom Labor signiert und könnte daher von irgendjemandem stammen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model is signed by the key {key}, which this laptop does not trust. Add the lab&apos;s public key in Settings, then try again.</source>
        <translation>Das Modell ist mit dem Schlüssel {key} signiert, dem dieser Laptop nicht vertraut. Fügen Sie den öffentlichen Schlüssel des Labors in den Einstellungen hinzu und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The model is signed by the key {key}, which this laptop stopped trusting on {withdrawn_at}.</source>
        <translation>Das Modell ist mit dem Schlüssel {key} signiert, dem dieser Laptop seit dem {withdrawn_at} nicht mehr vertraut.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model&apos;s signature does not match its content: it was changed after signing.</source>
        <translation>Die Signatur des Modells passt nicht zu seinem Inhalt: Es wurde nach dem Signieren verändert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model file does not match its signed card: it was changed or damaged after signing.</source>
        <translation>Die Modelldatei passt nicht zu ihrer signierten Modellkarte: Sie wurde nach dem Signieren verändert oder beschädigt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Release {sequence} is not newer than release {installed}, already installed from the same lab.</source>
        <translation>Release {sequence} ist nicht neuer als Release {installed}, das vom selben Labor bereits installiert ist.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Release {sequence} is older than release {newest}, which the lab confirmed as current on {confirmed_at}.</source>
        <translation>Release {sequence} ist älter als Release {newest}, das das Labor am {confirmed_at} als aktuell bestätigt hat.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The model reads other measurements or names other species than this app knows.</source>
        <translation>Das Modell liest andere Maße oder nennt andere Arten, als diese App kennt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model does not give the answers its release promises for its reference flowers.</source>
        <translation>Das Modell gibt für seine Referenzblüten nicht die Antworten, die sein Release verspricht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model cannot run on this laptop.</source>
        <translation>Das Modell kann auf diesem Laptop nicht laufen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model file is incomplete: its download or copy broke off.</source>
        <translation>Die Modelldatei ist unvollständig: Ihr Herunterladen oder Kopieren brach ab.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This is not an Iris Field model file, or parts of it are missing.</source>
        <translation>Dies ist keine Iris-Field-Modelldatei, oder Teile davon fehlen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The lab&apos;s server failed to send the model.</source>
        <translation>Der Server des Labors konnte das Modell nicht senden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The disk is full, so the model could not be installed.</source>
        <translation>Der Datenträger ist voll, daher konnte das Modell nicht installiert werden.</translation>
    </message>
</context>
<context>
    <name>RecentlyDeletedDialog</name>
    <message>
        <location filename="../../desktop/ui/recently_deleted_dialog.py" line="+104"/>
        <source>The history cannot be read</source>
        <translation>Der Verlauf kann nicht gelesen werden</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Deleted</source>
        <translation>Gelöscht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Observed</source>
        <translation>Beobachtet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Species</source>
        <translation>Art</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note / place</source>
        <translation>Notiz / Ort</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing has been deleted. A deleted observation is listed here until it is restored.</source>
        <translation>Nichts wurde gelöscht. Eine gelöschte Beobachtung steht hier, bis sie wiederhergestellt wird.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>The %n most recently deleted observation(s), the last deleted first.</source>
        <translation>
            <numerusform>Die zuletzt gelöschte Beobachtung.</numerusform>
            <numerusform>Die %n zuletzt gelöschten Beobachtungen, die zuletzt gelöschte zuerst.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n deleted in all.</source>
        <translation>
            <numerusform>Insgesamt %n gelöscht.</numerusform>
            <numerusform>Insgesamt %n gelöscht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n deleted observation(s), the last deleted first. Choose those to bring back.</source>
        <translation>
            <numerusform>%n gelöschte Beobachtung. Wählen Sie sie aus, um sie zurückzuholen.</numerusform>
            <numerusform>%n gelöschte Beobachtungen, die zuletzt gelöschte zuerst. Wählen Sie die aus, die zurückkommen sollen.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing can be restored: {reason}.</source>
        <translation>Es kann nichts wiederhergestellt werden: {reason}.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The observations could not be brought back</source>
        <translation>Die Beobachtungen konnten nicht zurückgeholt werden</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Recently deleted observations</source>
        <translation>Kürzlich gelöschte Beobachtungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted observations, the last deleted first</source>
        <translation>Gelöschte Beobachtungen, die zuletzt gelöschte zuerst</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Arrow keys choose an observation, Shift or Ctrl with them choose several; Enter restores</source>
        <translation>Pfeiltasten wählen eine Beobachtung, mit Umschalt oder Strg mehrere; die Eingabetaste stellt sie wieder her</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Restore selected</source>
        <translation>Ausgewählte &amp;wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore selected</source>
        <translation>Ausgewählte wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bring the chosen observations back into the history</source>
        <translation>Die ausgewählten Beobachtungen in den Verlauf zurückholen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restore &amp;all</source>
        <translation>&amp;Alle wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore all</source>
        <translation>Alle wiederherstellen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bring every observation listed here back into the history</source>
        <translation>Jede hier aufgeführte Beobachtung in den Verlauf zurückholen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Close</source>
        <translation>&amp;Schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What is listed</source>
        <translation>Was aufgeführt ist</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../desktop/ui/result_panel.py" line="+225"/>
        <source>Probability of {species}</source>
        <translation>Wahrscheinlichkeit für {species}</translation>
    </message>
    <message>
        <location line="-84"/>
        <source>Uncertain</source>
        <translation>Unsicher</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Unusual flower</source>
        <translation>Ungewöhnliche Blüte</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>⚠ Unlike any flower the model was trained on; its guess ({species}) cannot be trusted. Measure again.</source>
        <translation>⚠ Anders als jede Blüte, mit der das Modell trainiert wurde; seine Vermutung ({species}) ist nicht verlässlich. Bitte neu messen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>? Most likely {species}, but the model is less than {threshold} sure. Measure again, or check the flower with a key.</source>
        <translation>? Am ehesten {species}, aber das Modell ist sich zu weniger als {threshold} sicher. Messen Sie erneut oder bestimmen Sie die Blüte mit einem Schlüssel.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Result: {heading}, {percent}</source>
        <translation>Ergebnis: {heading}, {percent}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>⚠ {feature} {value} {unit} is outside what the model was trained on ({low}–{high} {unit}).</source>
        <translation>⚠ {feature} {value} {unit} liegt außerhalb dessen, womit das Modell trainiert wurde ({low}–{high} {unit}).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Treat the result with caution.</source>
        <translation>Das Ergebnis ist mit Vorsicht zu behandeln.</translation>
    </message>
</context>
<context>
    <name>SaveForm</name>
    <message>
        <location filename="../../desktop/ui/save_form.py" line="+77"/>
        <source>&amp;Note</source>
        <translation>&amp;Notiz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Location</source>
        <translation>&amp;Ort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>optional, e.g. meadow by the stream, 3 flowers</source>
        <translation>optional, z. B. Wiese am Bach, 3 Blüten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>optional: place name, or latitude, longitude</source>
        <translation>optional: Ortsname oder Breite; Länge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Location</source>
        <translation>Ort</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A place name, or coordinates in decimal degrees such as 48.137, 11.575</source>
        <translation>Ein Ortsname oder Koordinaten in Dezimalgrad, z. B. 48,137; 11,575</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Save observation</source>
        <translation>Beobachtung speichern</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="+13"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <location filename="../../desktop/ui/sync_controller.py" line="+69"/>
        <source>Sync status</source>
        <translation>Abgleich-Status</translation>
    </message>
    <message>
        <location line="+171"/>
        <source>The history is not available, so nothing can be synced.</source>
        <translation>Der Verlauf ist nicht verfügbar, daher kann nichts übertragen werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enter it in Settings → Sync.</source>
        <translation>Tragen Sie es unter Einstellungen → Abgleich ein.</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Sync &amp;now</source>
        <translation>Jetzt &amp;abgleichen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send every observation not yet on the server, now</source>
        <translation>Jede Beobachtung, die noch nicht auf dem Server ist, jetzt senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Server settings…</source>
        <translation>&amp;Server-Einstellungen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send &amp;unfinished observations to this server</source>
        <translation>&amp;Unfertige Beobachtungen an diesen Server senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send &amp;all observations to this server…</source>
        <translation>&amp;Alle Beobachtungen an diesen Server senden…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Sync on request: Sync → Sync now</source>
        <translation>Abgleich auf Anforderung: Abgleich → Jetzt abgleichen</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Set the lab&apos;s MLflow server in Settings → Sync.</source>
        <translation>Legen Sie den MLflow-Server des Labors unter Einstellungen → Abgleich fest.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Send all observations to this server?</source>
        <translation>Alle Beobachtungen an diesen Server senden?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every observation, also those already synced elsewhere, will be sent to {server} (experiment {experiment}). Runs already there are found and kept, never duplicated; nothing is deleted anywhere.</source>
        <translation>Jede Beobachtung, auch die bereits anderswohin übertragenen, wird an {server} (Experiment {experiment}) gesendet. Runs, die dort schon sind, werden gefunden und behalten, nie verdoppelt; nirgends wird etwas gelöscht.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send all</source>
        <translation>Alle senden</translation>
    </message>
</context>
<context>
    <name>SyncCounts</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/sync_status.py" line="+74"/>
        <source>%Ln not synced</source>
        <translation>
            <numerusform>%Ln nicht übertragen</numerusform>
            <numerusform>%Ln nicht übertragen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%Ln failed: the history shows why on each row.</source>
        <translation>
            <numerusform>%Ln fehlgeschlagen: Der Verlauf zeigt in der Zeile, warum.</numerusform>
            <numerusform>%Ln fehlgeschlagen: Der Verlauf zeigt in jeder Zeile, warum.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%Ln belong(s) to another server or experiment: see the Sync menu.</source>
        <translation>
            <numerusform>%Ln gehört zu einem anderen Server oder Experiment: siehe Menü Abgleich.</numerusform>
            <numerusform>%Ln gehören zu einem anderen Server oder Experiment: siehe Menü Abgleich.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncSettingsPage</name>
    <message>
        <location filename="../../desktop/ui/sync_settings_page.py" line="+27"/>
        <source>MLflow server address</source>
        <translation>Adresse des MLflow-Servers</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Experiment</source>
        <translation>Experiment</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name and password</source>
        <translation>Benutzername und Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Access token</source>
        <translation>Zugriffstoken</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign-in</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Password or token</source>
        <translation>Passwort oder Token</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Device name</source>
        <translation>Gerätename</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send observations &amp;automatically whenever the server is reachable</source>
        <translation>Beobachtungen &amp;automatisch senden, sobald der Server erreichbar ist</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Passwords and tokens are kept in the system&apos;s keyring.</source>
        <translation>Passwörter und Tokens werden im Schlüsselbund des Systems aufbewahrt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This system has no keyring: a password or token is kept only until Iris Field closes, never written to disk.</source>
        <translation>Dieses System hat keinen Schlüsselbund: Ein Passwort oder Token wird nur bis zum Schließen von Iris Field aufbewahrt und nie auf die Festplatte geschrieben.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Experiment</source>
        <translation>&amp;Experiment</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-&amp;in</source>
        <translation>&amp;Anmeldung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User name</source>
        <translation>&amp;Benutzername</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password or token</source>
        <translation>&amp;Passwort oder Token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Device name</source>
        <translation>&amp;Gerätename</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>(stored; type to replace)</source>
        <translation>(gespeichert; zum Ersetzen eintippen)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Enter the user name for the server, or choose another sign-in.</source>
        <translation>Geben Sie den Benutzernamen für den Server ein oder wählen Sie eine andere Anmeldung.</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location filename="../../desktop/ui/sync_status.py" line="-63"/>
        <source>Sync off</source>
        <translation>Abgleich aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Syncing {done} of {total}</source>
        <translation>Übertrage {done} von {total}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Another sync is running</source>
        <translation>Ein anderer Abgleich läuft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server problem: trying again</source>
        <translation>Serverproblem: neuer Versuch folgt</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All synced ({time})</source>
        <translation>Alles übertragen ({time})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All synced</source>
        <translation>Alles übertragen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Server: {server}</source>
        <translation>Server: {server}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No sync server is set.</source>
        <translation>Kein Server für den Abgleich eingestellt.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Next try in {seconds} s.</source>
        <translation>Nächster Versuch in {seconds} s.</translation>
    </message>
</context>
<context>
    <name>SyncWords</name>
    <message>
        <location filename="../../desktop/ui/sync_words.py" line="+48"/>
        <source>Settings → Sync</source>
        <translation>Einstellungen → Abgleich</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sync: sign-in refused</source>
        <translation>Abgleich: Anmeldung abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sync: password or token missing</source>
        <translation>Abgleich: Passwort oder Token fehlt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sync: check the server address</source>
        <translation>Abgleich: Serveradresse prüfen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync stopped</source>
        <translation>Abgleich angehalten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The experiment “{experiment}” was deleted on the lab&apos;s server. Restore it there, or choose another experiment in {settings}.</source>
        <translation>Das Experiment „{experiment}“ wurde auf dem Server des Labors gelöscht. Stellen Sie es dort wieder her oder wählen Sie unter {settings} ein anderes Experiment.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Observations are sent once it can be.</source>
        <translation>Die Beobachtungen werden gesendet, sobald er erreichbar ist.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync tries again later.</source>
        <translation>Der Abgleich versucht es später erneut.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>An unexpected error stopped the sync ({detail}). Please tell the lab.</source>
        <translation>Ein unerwarteter Fehler hat den Abgleich angehalten ({detail}). Bitte melden Sie ihn dem Labor.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The observation&apos;s run was deleted on the lab&apos;s server, so it is not sent again.</source>
        <translation>Der Run dieser Beobachtung wurde auf dem Server des Labors gelöscht, daher wird sie nicht erneut gesendet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This observation cannot be written to MLflow ({detail}).</source>
        <translation>Diese Beobachtung kann nicht in MLflow geschrieben werden ({detail}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The run {run} on the lab&apos;s server holds other measurements than this observation.</source>
        <translation>Der Run {run} auf dem Server des Labors enthält andere Messwerte als diese Beobachtung.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Another sync is working on this history ({holder}, process {pid}).</source>
        <translation>Ein anderer Abgleich arbeitet gerade an diesem Verlauf ({holder}, Prozess {pid}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another sync took over this history.</source>
        <translation>Ein anderer Abgleich hat diesen Verlauf übernommen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The password of “{user}” for {server} is not known on this laptop.</source>
        <translation>Das Passwort von „{user}“ für {server} ist auf diesem Laptop nicht bekannt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The access token for {server} is not known on this laptop.</source>
        <translation>Das Zugriffstoken für {server} ist auf diesem Laptop nicht bekannt.</translation>
    </message>
</context>
<context>
    <name>TrustedKeysPage</name>
    <message>
        <location filename="../../desktop/ui/trusted_keys_page.py" line="+37"/>
        <source>New models from the lab are installed only when signed with one of these keys.</source>
        <translation>Neue Modelle vom Labor werden nur installiert, wenn sie mit einem dieser Schlüssel signiert sind.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trusted keys</source>
        <translation>Vertrauenswürdige Schlüssel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add key file…</source>
        <translation>Schlüsseldatei hinzufügen …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop trusting</source>
        <translation>Nicht mehr vertrauen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models signed with the selected key are refused from now on</source>
        <translation>Mit dem ausgewählten Schlüssel signierte Modelle werden ab jetzt abgelehnt</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Model keys</source>
        <translation>Modellschlüssel</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>bundled</source>
        <translation>mitgeliefert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>added</source>
        <translation>hinzugefügt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>withdrawn {date}</source>
        <translation>zurückgezogen am {date}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Trusted the key {fingerprint}.</source>
        <translation>Dem Schlüssel {fingerprint} wird jetzt vertraut.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Models signed with the key {fingerprint} are refused from now on.</source>
        <translation>Mit dem Schlüssel {fingerprint} signierte Modelle werden ab jetzt abgelehnt.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Add a lab&apos;s public key</source>
        <translation>Öffentlichen Schlüssel eines Labors hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Public keys (*.pub)</source>
        <translation>Öffentliche Schlüssel (*.pub)</translation>
    </message>
</context>
</TS>
