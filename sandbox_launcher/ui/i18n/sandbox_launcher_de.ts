<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>DeviceControls</name>
    <message>
        <location filename="../device_fields.py" line="110" />
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="112" />
        <source>Camera:</source>
        <translation>Kamera:</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="116" />
        <source>Microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="117" />
        <source>muted at the start; switch it on in the sessions list</source>
        <translation>anfangs stumm; in der Sitzungsliste einschalten</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="118" />
        <source>on from the start</source>
        <translation>von Anfang an eingeschaltet</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="119" />
        <source>off for the whole session</source>
        <translation>die ganze Sitzung aus</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="121" />
        <source>Microphone:</source>
        <translation>Mikrofon:</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="123" />
        <source>no folder shared</source>
        <translation>kein Ordner freigegeben</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="124" />
        <source>Share a folder</source>
        <translation>Ordner freigeben</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="128" />
        <source>Access to the shared folder</source>
        <translation>Zugriff auf den freigegebenen Ordner</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="129" />
        <source>read-only</source>
        <translation>nur lesen</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="129" />
        <source>read-write</source>
        <translation>lesen und schreiben</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="132" />
        <source>Share a folder:</source>
        <translation>Ordner freigeben:</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="136" />
        <source>downloads are discarded at the end</source>
        <translation>Downloads werden am Ende verworfen</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="137" />
        <source>Keep downloads in</source>
        <translation>Downloads behalten in</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="140" />
        <source>Keep downloads in:</source>
        <translation>Downloads behalten in:</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="170" />
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="191" />
        <source>Not available: {why}</source>
        <translation>Nicht verfügbar: {why}</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <location filename="../device_fields.py" line="35" />
        <source>no camera found on this computer</source>
        <extracomment>The mic choices: what RunOptions.mic gets for each entry of the combo, in order. session.choices' fixed reasons, for lupdate (the service stays free of Qt).</extracomment>
        <translation>keine Kamera an diesem Computer gefunden</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="36" />
        <source>the system policy never grants a camera on this machine</source>
        <translation>die Systemrichtlinie gibt auf diesem Rechner nie eine Kamera frei</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="37" />
        <source>the system policy never grants a share folder on this machine</source>
        <translation>die Systemrichtlinie gibt auf diesem Rechner nie einen Ordner frei</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="39" />
        <source>the system policy always discards downloads on this machine</source>
        <translation>die Systemrichtlinie verwirft Downloads auf diesem Rechner immer</translation>
    </message>
    <message>
        <location filename="../device_fields.py" line="41" />
        <source>the system policy never grants the microphone on this machine</source>
        <translation>die Systemrichtlinie gibt auf diesem Rechner nie das Mikrofon frei</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../errors.py" line="15" />
        <source>Sandbox Launcher</source>
        <translation>Sandbox Launcher</translation>
    </message>
    <message>
        <location filename="../errors.py" line="19" />
        <source>What to do: {hint}</source>
        <translation>Was tun: {hint}</translation>
    </message>
    <message>
        <location filename="../errors.py" line="23" />
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>FieldEditor</name>
    <message>
        <location filename="../fields.py" line="67" />
        <source>NAME=value, one per line</source>
        <translation>NAME=Wert, einer pro Zeile</translation>
    </message>
    <message>
        <location filename="../fields.py" line="75" />
        <source>comma-separated</source>
        <translation>durch Kommas getrennt</translation>
    </message>
    <message>
        <location filename="../fields.py" line="130" />
        <source>{line!r} is not NAME=value</source>
        <translation>{line!r} ist nicht NAME=Wert</translation>
    </message>
    <message>
        <location filename="../fields.py" line="135" />
        <source>{line!r}: the quoted value is not closed properly</source>
        <translation>{line!r}: der Wert in Anführungszeichen ist nicht richtig geschlossen</translation>
    </message>
    <message>
        <location filename="../fields.py" line="144" />
        <source>cannot split into arguments: {why}</source>
        <translation>lässt sich nicht in Argumente zerlegen: {why}</translation>
    </message>
    <message>
        <location filename="../fields.py" line="167" />
        <source>Fixed by the system policy: {what}</source>
        <translation>Von der Systemrichtlinie festgelegt: {what}</translation>
    </message>
</context>
<context>
    <name>FolderField</name>
    <message>
        <location filename="../device_fields.py" line="73" />
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
</context>
<context>
    <name>LaunchPanel</name>
    <message>
        <location filename="../launch_panel.py" line="42" />
        <source>Launch</source>
        <extracomment>(profile name, RunOptions)</extracomment>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="67" />
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="71" />
        <source>&amp;Launch</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="73" />
        <source>Launch the selected profile</source>
        <translation>Das gewählte Profil starten</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="85" />
        <source>No profile selected.</source>
        <translation>Kein Profil gewählt.</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="97" />
        <source>this profile needs a command</source>
        <translation>dieses Profil braucht einen Befehl</translation>
    </message>
    <message>
        <location filename="../launch_panel.py" line="124" />
        <source>this profile has no command of its own: name one</source>
        <translation>dieses Profil hat keinen eigenen Befehl: bitte einen angeben</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="47" />
        <source>Sandbox Launcher</source>
        <extracomment>a session was started from the window or the tray (its id) profiles were (re)loaded</extracomment>
        <translation>Sandbox Launcher</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="73" />
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="78" />
        <source>&amp;Profiles</source>
        <translation>&amp;Profile</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="79" />
        <source>&amp;New profile…</source>
        <translation>&amp;Neues Profil…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="82" />
        <source>&amp;Edit profile…</source>
        <translation>Profil &amp;bearbeiten…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="85" />
        <source>&amp;Launch</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="88" />
        <source>Start in tray at &amp;login</source>
        <translation>Bei der &amp;Anmeldung im Infobereich starten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="92" />
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="101" />
        <source>&amp;Meeting</source>
        <translation>&amp;Besprechung</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="102" />
        <source>Join meeting from &amp;clipboard</source>
        <translation>Besprechung aus der &amp;Zwischenablage beitreten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="106" />
        <source>&amp;Open meeting link…</source>
        <translation>Besprechungslink ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="112" />
        <source>&amp;Sessions</source>
        <translation>&amp;Sitzungen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="113" />
        <source>&amp;Stop &amp;&amp; wipe selected</source>
        <translation>Gewählte &amp;beenden &amp;&amp; löschen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="143" />
        <source>A profile file is broken: {why}</source>
        <translation>Eine Profildatei ist fehlerhaft: {why}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="160" />
        <source>Profile {name} saved.</source>
        <translation>Profil {name} gespeichert.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="169" />
        <source>Starting {name}…</source>
        <translation>{name} wird gestartet…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="174" />
        <source>Session {id} started.</source>
        <translation>Sitzung {id} gestartet.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="181" />
        <source>Could not start {name}</source>
        <translation>{name} konnte nicht gestartet werden</translation>
    </message>
    <message numerus="yes">
        <location filename="../main_window.py" line="189" />
        <source>Wiped %n session(s) left by a launcher that died.</source>
        <translation>
            <numerusform>%n Sitzung eines abgestürzten Launchers gelöscht.</numerusform>
            <numerusform>%n Sitzungen eines abgestürzten Launchers gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../main_window.py" line="196" />
        <source>Could not change the login start: {why}</source>
        <translation>Der Start bei der Anmeldung ließ sich nicht ändern: {why}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="200" />
        <source>Starts in the tray at login ({path}).</source>
        <translation>Startet bei der Anmeldung im Infobereich ({path}).</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="201" />
        <source>No longer starts at login.</source>
        <translation>Startet nicht mehr bei der Anmeldung.</translation>
    </message>
    <message numerus="yes">
        <location filename="../main_window.py" line="221" />
        <source>Stopping %n session(s) and wiping…</source>
        <translation>
            <numerusform>%n Sitzung wird beendet und gelöscht…</numerusform>
            <numerusform>%n Sitzungen werden beendet und gelöscht…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MeetingLinks</name>
    <message>
        <location filename="../meeting_links.py" line="59" />
        <location filename="../meeting_links.py" line="116" />
        <source>Join meeting</source>
        <extracomment>(profile name, RunOptions with the rebuilt link as join_url) a line for the status bar</extracomment>
        <translation>Besprechung beitreten</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="60" />
        <source>The clipboard holds no meeting link.</source>
        <translation>Die Zwischenablage enthält keinen Besprechungslink.</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="62" />
        <source>Copy the link from the invitation, then try again.</source>
        <translation>Kopieren Sie den Link aus der Einladung und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="73" />
        <source>Open meeting link</source>
        <translation>Besprechungslink öffnen</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="74" />
        <source>Meeting link (Zoom, Teams, Webex or an https:// web meeting):</source>
        <translation>Besprechungslink (Zoom, Teams, Webex oder eine https://-Webbesprechung):</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="100" />
        <source>Meeting link refused</source>
        <translation>Besprechungslink abgelehnt</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="103" />
        <source>Nothing was started; the link was passed to no program.</source>
        <translation>Nichts wurde gestartet; der Link wurde an kein Programm weitergegeben.</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="106" />
        <source>What to do: {hint}</source>
        <translation>Was tun: {hint}</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="117" />
        <source>{title} is already running in session {id}.</source>
        <translation>{title} läuft bereits in Sitzung {id}.</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="120" />
        <source>Joining this meeting in the running session is not possible: the clients cannot be handed a link once they run. Start a new session for it?</source>
        <translation>Dieser Besprechung in der laufenden Sitzung beizutreten ist nicht möglich: Den Clients kann kein Link übergeben werden, sobald sie laufen. Eine neue Sitzung dafür starten?</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="122" />
        <source>Start a &amp;new session</source>
        <translation>&amp;Neue Sitzung starten</translation>
    </message>
    <message>
        <location filename="../meeting_links.py" line="138" />
        <source>Opening a {service} meeting on {host} in the profile {profile}…</source>
        <translation>Öffne eine {service}-Besprechung auf {host} im Profil {profile}…</translation>
    </message>
</context>
<context>
    <name>ProfileCard</name>
    <message>
        <location filename="../profile_list.py" line="48" />
        <source>built-in</source>
        <translation>mitgeliefert</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="48" />
        <source>yours</source>
        <translation>eigenes</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="50" />
        <source>built-in, changed</source>
        <translation>mitgeliefert, geändert</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="54" />
        <source>Client: {client} · Backend: {backend}</source>
        <translation>Client: {client} · Backend: {backend}</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="64" />
        <source>Fixed by the system policy: {what}</source>
        <translation>Von der Systemrichtlinie festgelegt: {what}</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <location filename="../profile_editor.py" line="46" />
        <source>Edit profile {name}</source>
        <translation>Profil {name} bearbeiten</translation>
    </message>
    <message>
        <location filename="../profile_editor.py" line="47" />
        <source>New profile</source>
        <translation>Neues Profil</translation>
    </message>
    <message>
        <location filename="../profile_editor.py" line="60" />
        <source>Profile name</source>
        <translation>Profilname</translation>
    </message>
    <message>
        <location filename="../profile_editor.py" line="65" />
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../profile_editor.py" line="86" />
        <source>Save the profile</source>
        <translation>Das Profil speichern</translation>
    </message>
    <message>
        <location filename="../profile_editor.py" line="97" />
        <source>use lower-case letters, digits, '-' and '_' (at most 48)</source>
        <translation>Kleinbuchstaben, Ziffern, '-' und '_' verwenden (höchstens 48)</translation>
    </message>
    <message numerus="yes">
        <location filename="../profile_editor.py" line="109" />
        <source>%n field(s) need attention</source>
        <translation>
            <numerusform>%n Feld braucht Aufmerksamkeit</numerusform>
            <numerusform>%n Felder brauchen Aufmerksamkeit</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileList</name>
    <message>
        <location filename="../profile_list.py" line="23" />
        <source>Network: none (loopback only)</source>
        <translation>Netzwerk: keines (nur Loopback)</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="26" />
        <source>Network: {count} domains</source>
        <translation>Netzwerk: {count} Domains</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="29" />
        <source> + published ranges of {vendors}</source>
        <translation> + veröffentlichte Adressbereiche von {vendors}</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="31" />
        <source>, ports {ports}</source>
        <translation>, Ports {ports}</translation>
    </message>
    <message>
        <location filename="../profile_list.py" line="79" />
        <source>Profiles</source>
        <translation>Profile</translation>
    </message>
</context>
<context>
    <name>Schema</name>
    <message>
        <location filename="../fields.py" line="180" />
        <source>Title</source>
        <extracomment>Field titles, for lupdate (the schema itself stays free of Qt).</extracomment>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../fields.py" line="181" />
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../fields.py" line="182" />
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../fields.py" line="183" />
        <source>Command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <location filename="../fields.py" line="184" />
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <location filename="../fields.py" line="185" />
        <source>Home size</source>
        <translation>Größe des Home</translation>
    </message>
    <message>
        <location filename="../fields.py" line="186" />
        <source>/tmp size</source>
        <translation>Größe von /tmp</translation>
    </message>
    <message>
        <location filename="../fields.py" line="187" />
        <source>/dev/shm size</source>
        <translation>Größe von /dev/shm</translation>
    </message>
    <message>
        <location filename="../fields.py" line="188" />
        <source>Nested user namespaces</source>
        <translation>Verschachtelte User-Namespaces</translation>
    </message>
    <message>
        <location filename="../fields.py" line="189" />
        <source>Allowed system calls</source>
        <translation>Erlaubte Systemaufrufe</translation>
    </message>
    <message>
        <location filename="../fields.py" line="190" />
        <source>Environment</source>
        <translation>Umgebung</translation>
    </message>
    <message>
        <location filename="../fields.py" line="191" />
        <source>Host variables passed</source>
        <translation>Durchgereichte Host-Variablen</translation>
    </message>
    <message>
        <location filename="../fields.py" line="192" />
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <location filename="../fields.py" line="193" />
        <source>Allowed domains</source>
        <translation>Erlaubte Domains</translation>
    </message>
    <message>
        <location filename="../fields.py" line="194" />
        <source>Allowed networks</source>
        <translation>Erlaubte Netze</translation>
    </message>
    <message>
        <location filename="../fields.py" line="195" />
        <source>Allowed ports</source>
        <translation>Erlaubte Ports</translation>
    </message>
    <message>
        <location filename="../fields.py" line="196" />
        <source>Vendor address lists</source>
        <translation>Adresslisten des Herstellers</translation>
    </message>
    <message>
        <location filename="../fields.py" line="197" />
        <source>Allowed countries</source>
        <translation>Erlaubte Länder</translation>
    </message>
    <message>
        <location filename="../fields.py" line="198" />
        <source>Denied countries</source>
        <translation>Gesperrte Länder</translation>
    </message>
    <message>
        <location filename="../fields.py" line="199" />
        <source>Display</source>
        <translation>Anzeige</translation>
    </message>
    <message>
        <location filename="../fields.py" line="200" />
        <source>Window size</source>
        <translation>Fenstergröße</translation>
    </message>
    <message>
        <location filename="../fields.py" line="201" />
        <source>Speakers</source>
        <translation>Lautsprecher</translation>
    </message>
    <message>
        <location filename="../fields.py" line="202" />
        <source>Session-bus services</source>
        <translation>Dienste am Session-Bus</translation>
    </message>
    <message>
        <location filename="../fields.py" line="203" />
        <source>Seeded home files</source>
        <translation>Vorbelegte Dateien im Home</translation>
    </message>
    <message>
        <location filename="../fields.py" line="204" />
        <source>Meeting page</source>
        <translation>Meeting-Seite</translation>
    </message>
    <message>
        <location filename="../fields.py" line="205" />
        <source>Any meeting host</source>
        <translation>Beliebiger Meeting-Host</translation>
    </message>
    <message>
        <location filename="../fields.py" line="206" />
        <source>Browser</source>
        <translation>Browser</translation>
    </message>
    <message>
        <location filename="../fields.py" line="207" />
        <source>Browser arguments</source>
        <translation>Browser-Argumente</translation>
    </message>
</context>
<context>
    <name>SessionsView</name>
    <message>
        <location filename="../sessions_view.py" line="39" />
        <source>planned</source>
        <translation>geplant</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="40" />
        <source>preparing</source>
        <translation>wird vorbereitet</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="41" />
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="42" />
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="43" />
        <source>stopping</source>
        <translation>wird beendet</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="44" />
        <source>wiping</source>
        <translation>wird gelöscht</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="45" />
        <source>verifying wipe</source>
        <translation>Löschung wird geprüft</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="46" />
        <source>wiped</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="47" />
        <source>wipe not verified</source>
        <translation>Löschung nicht bestätigt</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="55" />
        <source>wipe verified</source>
        <translation>Löschung bestätigt</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="56" />
        <source>wipe NOT verified</source>
        <translation>Löschung NICHT bestätigt</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="57" />
        <source>Contacted {hosts} hosts in {countries} countries, blocked {blocked}; {wipe}.</source>
        <translation>{hosts} Hosts in {countries} Ländern kontaktiert, {blocked} blockiert; {wipe}.</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="88" />
        <source>Sessions</source>
        <extracomment>a session was stopped, saved… (the window's status bar shows it)</extracomment>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="90" />
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="90" />
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="90" />
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="90" />
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="91" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="91" />
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="112" />
        <source>Selected session</source>
        <translation>Gewählte Sitzung</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="114" />
        <location filename="../sessions_view.py" line="206" />
        <source>No session selected.</source>
        <translation>Keine Sitzung gewählt.</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="123" />
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="125" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="125" />
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="125" />
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="125" />
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="126" />
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="126" />
        <source>Verdict</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="134" />
        <source>&amp;Stop &amp;&amp; Wipe</source>
        <translation>&amp;Beenden &amp;&amp; löschen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="136" />
        <source>Stop and wipe the selected session</source>
        <translation>Die gewählte Sitzung beenden und löschen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="138" />
        <source>Save &amp;report…</source>
        <translation>&amp;Bericht speichern…</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="140" />
        <source>Save the report of the selected session</source>
        <translation>Den Bericht der gewählten Sitzung speichern</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="142" />
        <location filename="../sessions_view.py" line="302" />
        <source>&amp;Microphone on</source>
        <translation>&amp;Mikrofon ein</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="145" />
        <source>Microphone of the selected session</source>
        <translation>Mikrofon der ausgewählten Sitzung</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="182" />
        <source>failed to start</source>
        <translation>Start fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="219" />
        <source>Could not start: {why}</source>
        <translation>Konnte nicht starten: {why}</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="224" />
        <source>{title} ({id}): {state}</source>
        <translation>{title} ({id}): {state}</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="227" />
        <source>microphone muted</source>
        <translation>Mikrofon stumm</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="228" />
        <source>microphone ON</source>
        <translation>Mikrofon EIN</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="238" />
        <source>allowed</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="239" />
        <source>blocked</source>
        <translation>blockiert</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="263" />
        <source>The microphone of {id} stays muted: {why}</source>
        <translation>Das Mikrofon von {id} bleibt stumm: {why}</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="301" />
        <source>&amp;Mute microphone</source>
        <translation>Mikrofon &amp;stummschalten</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="305" />
        <source>This session has no microphone to switch (no sound server, --no-mic, or the system policy).</source>
        <translation>Diese Sitzung hat kein schaltbares Mikrofon (kein Soundserver, --no-mic oder die Systemrichtlinie).</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="320" />
        <source>Muting the microphone of {id}…</source>
        <translation>Schalte das Mikrofon von {id} stumm…</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="321" />
        <source>Switching on the microphone of {id}…</source>
        <translation>Schalte das Mikrofon von {id} ein…</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="334" />
        <source>Stopping {id} and wiping it…</source>
        <translation>{id} wird beendet und gelöscht…</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="340" />
        <source>Save the session report</source>
        <translation>Den Sitzungsbericht speichern</translation>
    </message>
    <message>
        <location filename="../sessions_view.py" line="353" />
        <source>Report saved to {path}</source>
        <translation>Bericht gespeichert unter {path}</translation>
    </message>
</context>
<context>
    <name>TrafficPlot</name>
    <message>
        <location filename="../traffic_plot.py" line="33" />
        <source>Network traffic of the selected session</source>
        <translation>Netzwerkverkehr der gewählten Sitzung</translation>
    </message>
    <message>
        <location filename="../traffic_plot.py" line="50" />
        <source>Sending {out}/s, receiving {inbound}/s</source>
        <translation>Sendet {out}/s, empfängt {inbound}/s</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../tray.py" line="44" />
        <location filename="../tray.py" line="169" />
        <source>Sandbox Launcher: no session running</source>
        <extracomment>a desktop notification was shown (title, text)</extracomment>
        <translation>Sandbox Launcher: keine Sitzung läuft</translation>
    </message>
    <message>
        <location filename="../tray.py" line="47" />
        <source>Sandbox Launcher</source>
        <translation>Sandbox Launcher</translation>
    </message>
    <message>
        <location filename="../tray.py" line="72" />
        <source>Launch</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../tray.py" line="79" />
        <source>Join meeting from clipboard</source>
        <translation>Meeting aus der Zwischenablage beitreten</translation>
    </message>
    <message>
        <location filename="../tray.py" line="83" />
        <source>Open meeting link…</source>
        <translation>Besprechungslink öffnen…</translation>
    </message>
    <message>
        <location filename="../tray.py" line="89" />
        <source>Running sessions</source>
        <translation>Laufende Sitzungen</translation>
    </message>
    <message>
        <location filename="../tray.py" line="94" />
        <source>Stop &amp;&amp; wipe {title} ({id})</source>
        <translation>{title} beenden &amp;&amp; löschen ({id})</translation>
    </message>
    <message>
        <location filename="../tray.py" line="103" />
        <source>Open window</source>
        <translation>Fenster öffnen</translation>
    </message>
    <message>
        <location filename="../tray.py" line="107" />
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location filename="../tray.py" line="126" />
        <source>Microphone on: {title} ({id})</source>
        <translation>Mikrofon ein: {title} ({id})</translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="160" />
        <source>Sandbox Launcher: camera and microphone live, %n session(s) running</source>
        <translation>
            <numerusform>Sandbox Launcher: Kamera und Mikrofon aktiv, %n Sitzung läuft</numerusform>
            <numerusform>Sandbox Launcher: Kamera und Mikrofon aktiv, %n Sitzungen laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="163" />
        <source>Sandbox Launcher: camera live, %n session(s) running</source>
        <translation>
            <numerusform>Sandbox Launcher: Kamera aktiv, %n Sitzung läuft</numerusform>
            <numerusform>Sandbox Launcher: Kamera aktiv, %n Sitzungen laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="165" />
        <source>Sandbox Launcher: microphone live, %n session(s) running</source>
        <translation>
            <numerusform>Sandbox Launcher: Mikrofon aktiv, %n Sitzung läuft</numerusform>
            <numerusform>Sandbox Launcher: Mikrofon aktiv, %n Sitzungen laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="168" />
        <source>Sandbox Launcher: %n session(s) running</source>
        <translation>
            <numerusform>Sandbox Launcher: %n Sitzung läuft</numerusform>
            <numerusform>Sandbox Launcher: %n Sitzungen laufen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../tray.py" line="189" />
        <source>Session started</source>
        <translation>Sitzung gestartet</translation>
    </message>
    <message>
        <location filename="../tray.py" line="190" />
        <source>{title} is running in a sandbox ({id}).</source>
        <translation>{title} läuft in einer Sandbox ({id}).</translation>
    </message>
    <message>
        <location filename="../tray.py" line="198" />
        <source>Connections blocked: {id}</source>
        <translation>Verbindungen blockiert: {id}</translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="199" />
        <source>The sandbox blocked %n new destination(s) in the last seconds. The session's connection list names them.</source>
        <translation>
            <numerusform>Die Sandbox hat eben %n neues Ziel blockiert. Die Verbindungsliste der Sitzung nennt es.</numerusform>
            <numerusform>Die Sandbox hat eben %n neue Ziele blockiert. Die Verbindungsliste der Sitzung nennt sie.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../tray.py" line="212" />
        <source>Session ended: {id}</source>
        <translation>Sitzung beendet: {id}</translation>
    </message>
</context>
</TS>