<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
    <context>
        <name>Choices</name>
        <message>
            <location filename="../fields.py" line="184" />
            <source>none</source>
            <extracomment>The schema's choice values that are words (the rest are names: zoom, chromium, vm).</extracomment>
            <translation>keine</translation>
        </message>
        <message>
            <location filename="../fields.py" line="185" />
            <source>allowlist</source>
            <translation>Freigabeliste</translation>
        </message>
        <message>
            <location filename="../fields.py" line="186" />
            <source>auto</source>
            <translation>automatisch</translation>
        </message>
        <message>
            <location filename="../fields.py" line="187" />
            <source>isolated</source>
            <translation>isoliert</translation>
        </message>
        <message>
            <location filename="../fields.py" line="188" />
            <source>insecure_host_x11</source>
            <translation>Host-X11 (unsicher)</translation>
        </message>
        <message>
            <location filename="../fields.py" line="189" />
            <source>namespace</source>
            <translation>Namespace</translation>
        </message>
        <message>
            <location filename="../fields.py" line="190" />
            <source>browser</source>
            <translation>Browser</translation>
        </message>
    </context>
    <context>
        <name>ClientErrors</name>
        <message>
            <location filename="../client_errors.py" line="29" />
            <source>the server's name could not be looked up (no network?)</source>
            <translation>der Name des Servers ließ sich nicht auflösen (kein Netzwerk?)</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="31" />
            <source>the server refused the connection</source>
            <translation>der Server hat die Verbindung abgelehnt</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="33" />
            <source>the server did not answer</source>
            <translation>der Server hat nicht geantwortet</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="34" />
            <source>there is no network connection</source>
            <translation>es besteht keine Netzwerkverbindung</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="42" />
            <source>Enter the SHA-256 checksum the vendor publishes, or choose the package's signature file (.asc or .sig), under "Check the package with" in this window; then install the file again.</source>
            <translation>Geben Sie die SHA-256-Prüfsumme ein, die der Hersteller veröffentlicht, oder wählen Sie die Signaturdatei des Pakets (.asc oder .sig), unter „Paket prüfen mit“ in diesem Fenster; installieren Sie die Datei dann erneut.</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="47" />
            <source>Enter the SHA-256 checksum the vendor publishes under "Check the package with" in this window, or ask your administrator to install the vendor's key.</source>
            <translation>Geben Sie die SHA-256-Prüfsumme des Herstellers unter „Paket prüfen mit“ in diesem Fenster ein, oder bitten Sie Ihre Administration, den Schlüssel des Herstellers zu installieren.</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="52" />
            <source>Check the network, or download the package with your browser and choose it with "Install from file…" in this window.</source>
            <translation>Prüfen Sie das Netzwerk, oder laden Sie das Paket mit Ihrem Browser herunter und wählen Sie es mit „Aus Datei installieren…“ in diesem Fenster.</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="69" />
            <source>As reported: {summary}</source>
            <translation>Gemeldet: {summary}</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="71" />
            <location filename="../client_errors.py" line="86" />
            <source>On the command line: {hint}</source>
            <translation>Auf der Kommandozeile: {hint}</translation>
        </message>
        <message>
            <location filename="../client_errors.py" line="83" />
            <source>Install it with the Install… button in place of Launch, or in Clients &gt; Manage clients…; its installer scripts never run.</source>
            <translation>Installieren Sie ihn mit der Schaltfläche „Installieren…“ anstelle von „Starten“ oder unter Clients &gt; Clients verwalten…; seine Installationsskripte laufen nie.</translation>
        </message>
    </context>
    <context>
        <name>ClientProgress</name>
        <message>
            <location filename="../client_progress.py" line="26" />
            <source>Copying the package</source>
            <extracomment>Each step's text, marked for lupdate and translated when shown.</extracomment>
            <translation>Paket wird kopiert</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="27" />
            <source>Downloading from {host}</source>
            <translation>Herunterladen von {host}</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="28" />
            <source>Verifying the vendor's signature or checksum</source>
            <translation>Signatur oder Prüfsumme des Herstellers wird geprüft</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="30" />
            <source>Unpacking, removing setuid bits (installer scripts never run)</source>
            <translation>Entpacken, setuid-Bits entfernen (Installationsskripte laufen nie)</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="32" />
            <source>Making it read-only</source>
            <translation>Schreibschutz setzen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="33" />
            <source>Putting it in place</source>
            <translation>An seinen Platz stellen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="34" />
            <source>Checking that no session uses it</source>
            <translation>Prüfen, dass keine Sitzung ihn nutzt</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="35" />
            <source>Removing its files</source>
            <translation>Seine Dateien werden entfernt</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="36" />
            <location filename="../client_progress.py" line="150" />
            <location filename="../client_progress.py" line="171" />
            <source>Done</source>
            <translation>Fertig</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="58" />
            <source>Progress</source>
            <translation>Fortschritt</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="75" />
            <source>Steps</source>
            <extracomment>The step shown: Cancel follows it (the worker may be a step ahead; a cancel it can no longer take is refused by the job, and the button then says why).</extracomment>
            <translation>Schritte</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="80" />
            <source>Progress of the client job</source>
            <translation>Fortschritt des Client-Auftrags</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="82" />
            <location filename="../client_progress.py" line="193" />
            <source>&amp;Cancel</source>
            <translation>&amp;Abbrechen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="84" />
            <source>Cancel the install</source>
            <translation>Die Installation abbrechen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="95" />
            <location filename="../client_progress.py" line="194" />
            <location filename="../client_progress.py" line="199" />
            <source>Nothing is running.</source>
            <translation>Es läuft nichts.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="128" />
            <source>Connecting…</source>
            <translation>Verbinden…</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="134" />
            <source>{got} of {total}</source>
            <translation>{got} von {total}</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="139" />
            <source>{done}, {rate}/s</source>
            <translation>{done}, {rate}/s</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="147" />
            <source>Step {n} of {count}</source>
            <translation>Schritt {n} von {count}</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="158" />
            <source>Cancelling…</source>
            <translation>Wird abgebrochen…</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="159" />
            <source>Cancelling: the install stops at the next safe point and leaves nothing behind.</source>
            <translation>Abbruch: Die Installation hält am nächsten sicheren Punkt an und hinterlässt nichts.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="183" />
            <source>Cancelled</source>
            <translation>Abgebrochen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="184" />
            <source>Cancelled. Nothing was installed; the client store is as it was before.</source>
            <translation>Abgebrochen. Nichts wurde installiert; der Client-Speicher ist wie zuvor.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="187" />
            <source>Failed</source>
            <translation>Fehlgeschlagen</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="188" />
            <source>Failed: {why}</source>
            <translation>Fehlgeschlagen: {why}</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="202" />
            <source>Removing cannot be cancelled: a half-removed client would be neither usable nor gone.</source>
            <translation>Entfernen lässt sich nicht abbrechen: Ein halb entfernter Client wäre weder nutzbar noch weg.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="206" />
            <source>Cancelling: the install stops after the current step and deletes what it downloaded or unpacked.</source>
            <translation>Abbruch: Die Installation hält nach dem laufenden Schritt an und löscht, was sie heruntergeladen oder entpackt hat.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="210" />
            <source>The new version is being put in place: stopping half-way could leave it half-installed, so it can no longer be cancelled.</source>
            <translation>Die neue Version wird gerade an ihren Platz gestellt: Ein Halt mittendrin könnte sie halb installiert zurücklassen, daher lässt sich das nicht mehr abbrechen.</translation>
        </message>
        <message>
            <location filename="../client_progress.py" line="214" />
            <source>Stop the install: what was downloaded or unpacked is deleted and the client store stays as it was.</source>
            <translation>Die Installation anhalten: Heruntergeladenes oder Entpacktes wird gelöscht, der Client-Speicher bleibt, wie er war.</translation>
        </message>
    </context>
    <context>
        <name>ClientsDialog</name>
        <message>
            <location filename="../clients_dialog.py" line="71" />
            <source>Clients</source>
            <extracomment>How many of the package's skipped parts the result line names (all are in its tooltip). something for the main window's status bar a client was installed or removed (the launch panel's Install/Launch follows)</extracomment>
            <translation>Clients</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="119" />
            <source>Vendor clients are unpacked as you, read-only, after their signature or checksum is verified; their installer scripts never run. A session gets the current version; the one that last started is kept until the new one has started once.</source>
            <translation>Hersteller-Clients werden unter Ihrem Benutzer schreibgeschützt entpackt, nachdem ihre Signatur oder Prüfsumme geprüft wurde; ihre Installationsskripte laufen nie. Eine Sitzung erhält die aktuelle Version; die zuletzt gestartete bleibt, bis die neue einmal gestartet ist.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="77" />
            <source>Installed clients</source>
            <translation>Installierte Clients</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="79" />
            <source>Client</source>
            <translation>Client</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="79" />
            <source>Version</source>
            <translation>Version</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="79" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="79" />
            <source>Installed</source>
            <translation>Installiert</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="80" />
            <source>Verified by</source>
            <translation>Geprüft durch</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="80" />
            <source>Source</source>
            <translation>Quelle</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="93" />
            <source>Install from &amp;file…</source>
            <translation>Aus &amp;Datei installieren…</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="95" />
            <source>Install a client from a downloaded file</source>
            <translation>Einen Client aus einer heruntergeladenen Datei installieren</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="97" />
            <source>&amp;Download latest</source>
            <translation>Neueste &amp;herunterladen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="100" />
            <source>&amp;Remove…</source>
            <translation>&amp;Entfernen…</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="102" />
            <source>Remove the selected version</source>
            <translation>Die ausgewählte Version entfernen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="144" />
            <source>Could not read the client store</source>
            <translation>Der Client-Speicher konnte nicht gelesen werden</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="189" />
            <source>not installed</source>
            <translation>nicht installiert</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="190" />
            <source>Install it from a downloaded file, or download it from {url}.</source>
            <translation>Aus einer heruntergeladenen Datei installieren oder von {url} herunterladen.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="199" />
            <source>Stored in {path}
Verified by: {method} {by}
Source: {source}</source>
            <translation>Gespeichert in {path}
Geprüft durch: {method} {by}
Quelle: {source}</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="205" />
            <source>Not installed from the package:</source>
            <translation>Aus dem Paket nicht installiert:</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="216" />
            <source>current, last started</source>
            <translation>aktuell, zuletzt gestartet</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="218" />
            <source>current, not started yet</source>
            <translation>aktuell, noch nicht gestartet</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="220" />
            <source>previous, kept until the current one has started</source>
            <translation>vorherige, bleibt bis die aktuelle gestartet ist</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="222" />
            <source>older</source>
            <translation>älter</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="224" />
            <source>in use by {sessions}</source>
            <translation>in Benutzung durch {sessions}</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="229" />
            <source>signature in the package (debsig)</source>
            <translation>Signatur im Paket (debsig)</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="230" />
            <source>signature in the package (dpkg-sig)</source>
            <translation>Signatur im Paket (dpkg-sig)</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="231" />
            <source>signature file</source>
            <translation>Signaturdatei</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="232" />
            <source>SHA-256 checksum</source>
            <translation>SHA-256-Prüfsumme</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="260" />
            <source>Download {title}'s current package from {url}, verify it and install it</source>
            <translation>Das aktuelle Paket von {title} von {url} herunterladen, prüfen und installieren</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="262" />
            <source>Download the latest {title}</source>
            <translation>Das neueste {title} herunterladen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="267" />
            <source>Wait until the running job has finished.</source>
            <translation>Warten Sie, bis der laufende Auftrag fertig ist.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="269" />
            <source>Select an installed version to remove.</source>
            <translation>Wählen Sie eine installierte Version zum Entfernen.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="271" />
            <source>{title} is in use by {sessions}: stop the session first.</source>
            <translation>{title} wird von {sessions} benutzt: Beenden Sie zuerst die Sitzung.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="274" />
            <source>Remove {title} {version}</source>
            <translation>{title} {version} entfernen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="282" />
            <source>Install a client from a file</source>
            <translation>Einen Client aus einer Datei installieren</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="283" />
            <source>Client packages (*.deb *.tar.xz *.tar.gz *.tgz)</source>
            <translation>Client-Pakete (*.deb *.tar.xz *.tar.gz *.tgz)</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="293" />
            <source>Installing {title} from {file}</source>
            <translation>{title} wird aus {file} installiert</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="304" />
            <source>Downloading {title} from {url}</source>
            <translation>{title} wird von {url} heruntergeladen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="314" />
            <source>Remove a client</source>
            <translation>Einen Client entfernen</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="315" />
            <source>Remove {title} {version}?</source>
            <translation>{title} {version} entfernen?</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="320" />
            <source>Its files are deleted. Sessions then get the version that is left, if any.</source>
            <translation>Seine Dateien werden gelöscht. Sitzungen erhalten dann die verbleibende Version, falls es eine gibt.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="329" />
            <source>Removing {title} {version}</source>
            <translation>{title} {version} wird entfernt</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="340" />
            <source>Removed.</source>
            <translation>Entfernt.</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="353" />
            <source>Client store</source>
            <translation>Client-Speicher</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="359" />
            <source>Installed {title} {version} (verified: {method}).</source>
            <translation>{title} {version} installiert (geprüft: {method}).</translation>
        </message>
        <message>
            <location filename="../clients_dialog.py" line="365" />
            <source>Not installed from the package: {items}</source>
            <translation>Aus dem Paket nicht installiert: {items}</translation>
        </message>
        <message numerus="yes">
            <location filename="../clients_dialog.py" line="368" />
            <source>and %n more (see the list's tooltip)</source>
            <translation>
                <numerusform>und %n weiterer (siehe Tooltip der Liste)</numerusform>
                <numerusform>und %n weitere (siehe Tooltip der Liste)</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>DeviceControls</name>
        <message>
            <location filename="../device_fields.py" line="125" />
            <source>Camera</source>
            <extracomment>the user wants the host's windows listed again</extracomment>
            <translation>Kamera</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="127" />
            <source>Camera:</source>
            <translation>Kamera:</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="131" />
            <source>Microphone</source>
            <translation>Mikrofon</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="132" />
            <source>muted at the start; switch it on in the sessions list</source>
            <translation>anfangs stumm; in der Sitzungsliste einschalten</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="133" />
            <source>on from the start</source>
            <translation>von Anfang an eingeschaltet</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="134" />
            <source>off for the whole session</source>
            <translation>die ganze Sitzung aus</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="136" />
            <source>Microphone:</source>
            <translation>Mikrofon:</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="140" />
            <source>Share a window</source>
            <translation>Ein Fenster teilen</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="142" />
            <source>Refresh</source>
            <translation>Aktualisieren</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="144" />
            <source>List the windows again</source>
            <translation>Die Fenster neu auflisten</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="149" />
            <source>Share a window:</source>
            <translation>Fenster teilen:</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="152" />
            <source>no folder shared</source>
            <translation>kein Ordner</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="153" />
            <source>Share a folder</source>
            <translation>Ordner freigeben</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="157" />
            <source>Access to the shared folder</source>
            <translation>Zugriff auf den freigegebenen Ordner</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="158" />
            <source>read-only</source>
            <translation>nur lesen</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="158" />
            <source>read-write</source>
            <translation>lesen und schreiben</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="161" />
            <source>Share a folder:</source>
            <translation>Ordner freigeben:</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="165" />
            <source>none: the app asks when the session ends</source>
            <translation>keiner: die App fragt am Ende der Sitzung</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="166" />
            <source>Keep downloads in</source>
            <translation>Downloads behalten in</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="169" />
            <source>Keep downloads in:</source>
            <translation>Downloads behalten in:</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="199" />
            <source>none</source>
            <translation>keine</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="223" />
            <source>nothing shared</source>
            <translation>nichts geteilt</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="225" />
            <source>ask the desktop when the client shares (portal)</source>
            <translation>den Desktop fragen, wenn der Client teilt (Portal)</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="242" />
            <source>this profile gives the client no display</source>
            <translation>dieses Profil gibt dem Client keine Anzeige</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="244" />
            <source>this profile hands the client the whole host screen (insecure_host_x11)</source>
            <translation>dieses Profil gibt dem Client den ganzen Bildschirm des Rechners (insecure_host_x11)</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="253" />
            <source>Not available: {why}</source>
            <translation>Nicht verfügbar: {why}</translation>
        </message>
    </context>
    <context>
        <name>Devices</name>
        <message>
            <location filename="../device_fields.py" line="36" />
            <source>no camera found on this computer</source>
            <extracomment>The mic choices: what RunOptions.mic gets for each entry of the combo, in order. session.choices' fixed reasons, for lupdate (the service stays free of Qt).</extracomment>
            <translation>keine Kamera an diesem Computer gefunden</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="37" />
            <source>the system policy never grants a camera on this machine</source>
            <translation>die Systemrichtlinie gibt auf diesem Rechner nie eine Kamera frei</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="38" />
            <source>the system policy never grants a share folder on this machine</source>
            <translation>die Systemrichtlinie gibt auf diesem Rechner nie einen Ordner frei</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="40" />
            <source>the system policy always discards downloads on this machine</source>
            <translation>die Systemrichtlinie verwirft Downloads auf diesem Rechner immer</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="42" />
            <source>the system policy never grants the microphone on this machine</source>
            <translation>die Systemrichtlinie gibt auf diesem Rechner nie das Mikrofon frei</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="44" />
            <source>the system policy never shares the screen on this machine</source>
            <translation>die Systemrichtlinie gibt den Bildschirm auf diesem Rechner nie frei</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="45" />
            <source>no desktop display to share from (neither Wayland nor X11)</source>
            <translation>keine Desktop-Anzeige zum Teilen (weder Wayland noch X11)</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="46" />
            <source>no window on the desktop to share</source>
            <translation>kein Fenster auf dem Desktop zum Teilen</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="48" />
            <source>no sound system runs for your login (neither PulseAudio nor PipeWire answers)</source>
            <translation>für Ihre Anmeldung läuft kein Soundsystem (weder PulseAudio noch PipeWire antwortet)</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="51" />
            <source>sound in meetings needs the packages pulseaudio and pulseaudio-utils, which are not installed (ask whoever looks after this computer)</source>
            <translation>Ton in Besprechungen braucht die Pakete pulseaudio und pulseaudio-utils, die nicht installiert sind (fragen Sie, wer diesen Computer betreut)</translation>
        </message>
        <message>
            <location filename="../device_fields.py" line="54" />
            <source>this profile has no speakers, and the microphone was not asked for</source>
            <translation>dieses Profil hat keine Lautsprecher, und das Mikrofon wurde nicht verlangt</translation>
        </message>
    </context>
    <context>
        <name>Downloads</name>
        <message>
            <location filename="../downloads_question.py" line="62" />
            <source>one file</source>
            <translation>eine Datei</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="63" />
            <source>{n} files</source>
            <translation>{n} Dateien</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="68" />
            <source>one item</source>
            <translation>ein Eintrag</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="69" />
            <source>{n} items</source>
            <translation>{n} Einträge</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="80" />
            <source>at {time}</source>
            <translation>um {time}</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="81" />
            <source>on {date} at {time}</source>
            <translation>am {date} um {time}</translation>
        </message>
    </context>
    <context>
        <name>DownloadsBar</name>
        <message>
            <location filename="../downloads.py" line="200" />
            <source>Downloads waiting</source>
            <translation>Wartende Downloads</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="212" />
            <source>&amp;Keep…</source>
            <translation>&amp;Behalten…</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="213" />
            <source>Keep the waiting downloads</source>
            <translation>Die wartenden Downloads behalten</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="216" />
            <source>&amp;Discard</source>
            <translation>&amp;Verwerfen</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="217" />
            <source>Delete the waiting downloads</source>
            <translation>Die wartenden Downloads löschen</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="219" />
            <source>Show &amp;files…</source>
            <translation>&amp;Dateien zeigen…</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="220" />
            <source>List the waiting downloads</source>
            <translation>Die wartenden Downloads auflisten</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="247" />
            <source>Downloads waiting: {files} ({size})</source>
            <translation>Downloads warten: {files} ({size})</translation>
        </message>
    </context>
    <context>
        <name>DownloadsQuestion</name>
        <message>
            <location filename="../downloads_question.py" line="96" />
            <source>Downloads of {id}</source>
            <extracomment>the user wants to pick a folder to keep the files in</extracomment>
            <translation>Downloads von {id}</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="97" />
            <source>Keep or discard the downloads</source>
            <translation>Downloads behalten oder verwerfen</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="108" />
            <source>Closing this window loses nothing: the files keep waiting in the session's details and under Sessions → Downloads waiting.</source>
            <translation>Wenn Sie dieses Fenster schließen, geht nichts verloren: Die Dateien warten weiter in den Details der Sitzung und unter Sitzungen → Wartende Downloads.</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="126" />
            <source>Keep what the session downloaded?</source>
            <translation>Behalten, was die Sitzung heruntergeladen hat?</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="142" />
            <source>Downloaded files</source>
            <translation>Heruntergeladene Dateien</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="143" />
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="143" />
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="156" />
            <source>&amp;Keep…</source>
            <translation>&amp;Behalten…</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="159" />
            <source>Keep the files in a folder you choose</source>
            <translation>Die Dateien in einem Ordner Ihrer Wahl behalten</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="161" />
            <source>&amp;Discard</source>
            <translation>&amp;Verwerfen</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="163" />
            <source>Delete the files</source>
            <translation>Die Dateien löschen</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="164" />
            <source>Decide &amp;later</source>
            <translation>&amp;Später entscheiden</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="167" />
            <source>Close; the files keep waiting</source>
            <translation>Schließen; die Dateien warten weiter</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="177" />
            <source>Session {id} ({profile}), ended {when}</source>
            <translation>Sitzung {id} ({profile}), beendet {when}</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="178" />
            <source>Session {id}, ended {when}</source>
            <translation>Sitzung {id}, beendet {when}</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="179" />
            <source>Session {id} ({profile})</source>
            <translation>Sitzung {id} ({profile})</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="179" />
            <source>Session {id}</source>
            <translation>Sitzung {id}</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="183" />
            <source>The client saved {files} ({size}) in its Downloads folder. They are held outside every sandbox until you keep them in a folder of yours or discard them.</source>
            <translation>Der Client hat {files} ({size}) in seinem Download-Ordner gespeichert. Sie werden außerhalb jeder Sandbox aufbewahrt, bis Sie sie in einem Ihrer Ordner behalten oder verwerfen.</translation>
        </message>
        <message>
            <location filename="../downloads_question.py" line="198" />
            <source>Never kept: {items} that were not regular files (links, pipes or devices): {names}</source>
            <translation>Nie behalten: {items}, die keine gewöhnlichen Dateien waren (Links, Pipes oder Geräte): {names}</translation>
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
        <message>
            <source>open Help > Check this computer… to see what is missing</source>
            <translation>öffnen Sie Hilfe > Diesen Computer prüfen…, um zu sehen, was fehlt</translation>
        </message>
        <message>
            <source>quit Sandbox Launcher and start it again (it wipes what a stopped launcher left)</source>
            <translation>beenden Sie Sandbox Launcher und starten Sie ihn neu (er löscht, was ein angehaltener Launcher hinterlassen hat)</translation>
        </message>
        <message>
            <source>this needs a step the app cannot take for you; "Show Details" has it for whoever looks after this computer</source>
            <translation>dafür ist ein Schritt nötig, den die App nicht für Sie tun kann; „Details einblenden“ nennt ihn für die Person, die diesen Computer betreut</translation>
        </message>
        <message>
            <source>for whoever looks after this computer: {hint}</source>
            <translation>für die Person, die diesen Computer betreut: {hint}</translation>
        </message>
        <message>
            <source>On the command line: {hint}</source>
            <translation>Auf der Kommandozeile: {hint}</translation>
        </message>
        <message>
            <source>open Clients > Guest images… and build it again</source>
            <translation>öffnen Sie Clients > Gastsysteme… und bauen Sie es neu</translation>
        </message>
    </context>
    <context>
        <name>FieldEditor</name>
        <message>
            <location filename="../fields.py" line="69" />
            <source>NAME=value, one per line</source>
            <translation>NAME=Wert, einer pro Zeile</translation>
        </message>
        <message>
            <location filename="../fields.py" line="77" />
            <source>comma-separated</source>
            <translation>durch Kommas getrennt</translation>
        </message>
        <message>
            <location filename="../fields.py" line="132" />
            <source>{line!r} is not NAME=value</source>
            <translation>{line!r} ist nicht NAME=Wert</translation>
        </message>
        <message>
            <location filename="../fields.py" line="137" />
            <source>{line!r}: the quoted value is not closed properly</source>
            <translation>{line!r}: der Wert in Anführungszeichen ist nicht richtig geschlossen</translation>
        </message>
        <message>
            <location filename="../fields.py" line="146" />
            <source>cannot split into arguments: {why}</source>
            <translation>lässt sich nicht in Argumente zerlegen: {why}</translation>
        </message>
        <message>
            <location filename="../fields.py" line="169" />
            <source>Fixed by the system policy: {what}</source>
            <translation>Von der Systemrichtlinie festgelegt: {what}</translation>
        </message>
    </context>
    <context>
        <name>FolderField</name>
        <message>
            <location filename="../device_fields.py" line="86" />
            <source>Choose…</source>
            <translation>Auswählen…</translation>
        </message>
    </context>
    <context>
        <name>LaunchPanel</name>
        <message>
            <location filename="../launch_panel.py" line="48" />
            <source>Launch</source>
            <extracomment>(profile name, RunOptions) the device choices should be read again (the host's windows changed) the profile's client is not installed: open the Clients window for this vendor</extracomment>
            <translation>Starten</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="62" />
            <source>Starting</source>
            <translation>Startet</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="65" />
            <location filename="../launch_panel.py" line="142" />
            <source>&amp;Launch</source>
            <translation>&amp;Starten</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="67" />
            <location filename="../launch_panel.py" line="143" />
            <source>Launch the selected profile</source>
            <translation>Das gewählte Profil starten</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="76" />
            <source>Meeting &amp;link:</source>
            <translation>Besprechungs&amp;link:</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="111" />
            <source>No profile selected.</source>
            <translation>Kein Profil gewählt.</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="130" />
            <source>the command to run in the sandbox</source>
            <translation>der Befehl, der in der Sandbox laufen soll</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="138" />
            <source>&amp;Install {title}…</source>
            <translation>{title} &amp;installieren…</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="140" />
            <source>Install {title} in the Clients window</source>
            <translation>{title} im Fenster Clients installieren</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="181" />
            <source>Name the command to run first.</source>
            <translation>Nennen Sie zuerst den Befehl, der laufen soll.</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="183" />
            <source>Paste the meeting link first: this profile has no meeting page of its own.</source>
            <translation>Fügen Sie zuerst den Besprechungslink ein: Dieses Profil hat keine eigene Besprechungsseite.</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="102" />
            <source>this profile needs a command</source>
            <translation>dieses Profil braucht einen Befehl</translation>
        </message>
        <message>
            <location filename="../launch_panel.py" line="129" />
            <source>this profile has no command of its own: name one</source>
            <translation>dieses Profil hat keinen eigenen Befehl: bitte einen angeben</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../main_window.py" line="69" />
            <source>Sandbox Launcher</source>
            <extracomment>a session was started from the window or the tray (its id) profiles were (re)loaded closing hid the window into the tray for the first time (the tray says so, once)</extracomment>
            <translation>Sandbox Launcher</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="92" />
            <source>Ready.</source>
            <translation>Bereit.</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="130" />
            <source>&amp;Profiles</source>
            <translation>&amp;Profile</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="131" />
            <source>&amp;New profile…</source>
            <translation>&amp;Neues Profil…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="134" />
            <source>&amp;Edit profile…</source>
            <translation>Profil &amp;bearbeiten…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="137" />
            <source>&amp;Launch</source>
            <translation>&amp;Starten</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="140" />
            <source>Start in tray at &amp;login</source>
            <translation>Bei der &amp;Anmeldung im Infobereich starten</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="144" />
            <source>&amp;Quit</source>
            <translation>&amp;Beenden</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="153" />
            <source>&amp;Meeting</source>
            <translation>&amp;Besprechung</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="154" />
            <source>Join meeting from &amp;clipboard</source>
            <translation>Besprechung aus der &amp;Zwischenablage beitreten</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="158" />
            <source>&amp;Open meeting link…</source>
            <translation>Besprechungslink ö&amp;ffnen…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="164" />
            <source>&amp;Sessions</source>
            <translation>&amp;Sitzungen</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="165" />
            <source>&amp;Stop &amp;&amp; wipe selected</source>
            <translation>Gewählte &amp;beenden &amp;&amp; löschen</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="169" />
            <source>&amp;Downloads waiting…</source>
            <translation>&amp;Wartende Downloads…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="175" />
            <source>&amp;Clients</source>
            <translation>&amp;Clients</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="176" />
            <source>&amp;Manage clients…</source>
            <translation>Clients &amp;verwalten…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="222" />
            <source>A profile file is broken: {why}</source>
            <translation>Eine Profildatei ist fehlerhaft: {why}</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="261" />
            <source>Profile {name}: your file of it was removed.</source>
            <translation>Profil {name}: Ihre Datei dazu wurde entfernt.</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="263" />
            <source>Profile {name} saved.</source>
            <translation>Profil {name} gespeichert.</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="272" />
            <source>Starting {name}…</source>
            <translation>{name} wird gestartet…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="278" />
            <source>Session {id} started.</source>
            <translation>Sitzung {id} gestartet.</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="286" />
            <source>Could not start {name}</source>
            <translation>{name} konnte nicht gestartet werden</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="289" />
            <source>&amp;Install {title}…</source>
            <translation>{title} &amp;installieren…</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="301" />
            <source>{id}: {notice}</source>
            <translation>{id}: {notice}</translation>
        </message>
        <message numerus="yes">
            <location filename="../main_window.py" line="307" />
            <source>Wiped %n session(s) left by a launcher that died.</source>
            <translation>
                <numerusform>%n Sitzung eines abgestürzten Launchers gelöscht.</numerusform>
                <numerusform>%n Sitzungen eines abgestürzten Launchers gelöscht.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../main_window.py" line="314" />
            <source>Could not change the login start: {why}</source>
            <translation>Der Start bei der Anmeldung ließ sich nicht ändern: {why}</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="318" />
            <source>Starts in the tray at login ({path}).</source>
            <translation>Startet bei der Anmeldung im Infobereich ({path}).</translation>
        </message>
        <message>
            <location filename="../main_window.py" line="319" />
            <source>No longer starts at login.</source>
            <translation>Startet nicht mehr bei der Anmeldung.</translation>
        </message>
        <message numerus="yes">
            <location filename="../main_window.py" line="367" />
            <source>Stopping %n session(s) and wiping…</source>
            <translation>
                <numerusform>%n Sitzung wird beendet und gelöscht…</numerusform>
                <numerusform>%n Sitzungen werden beendet und gelöscht…</numerusform>
            </translation>
        </message>
        <message>
            <source>&amp;Verify isolation…</source>
            <translation>Isolation &amp;überprüfen…</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>&amp;Hilfe</translation>
        </message>
    </context>
    <context>
        <name>MeetingLinkField</name>
        <message>
            <location filename="../link_field.py" line="32" />
            <source>Meeting link</source>
            <extracomment>the link or its verdict changed</extracomment>
            <translation>Besprechungslink</translation>
        </message>
        <message>
            <location filename="../link_field.py" line="52" />
            <source>https://… the meeting link from the invitation (needed)</source>
            <translation>https://… der Besprechungslink aus der Einladung (nötig)</translation>
        </message>
        <message>
            <location filename="../link_field.py" line="55" />
            <source>optional: https://zoom.us/j/… to join a meeting at once</source>
            <translation>optional: https://zoom.us/j/…, um gleich einer Besprechung beizutreten</translation>
        </message>
        <message>
            <location filename="../link_field.py" line="58" />
            <source>optional: the meeting link; without one, the service's start page opens</source>
            <translation>optional: der Besprechungslink; ohne ihn öffnet sich die Startseite des Dienstes</translation>
        </message>
        <message>
            <location filename="../link_field.py" line="75" />
            <source>This is a {service} meeting on {host}; {title} cannot open it. Paste it under Join a meeting above: it finds the right profile.</source>
            <translation>Das ist eine {service}-Besprechung auf {host}; {title} kann sie nicht öffnen. Fügen Sie den Link oben unter „Einer Besprechung beitreten“ ein: Dort wird das passende Profil gefunden.</translation>
        </message>
    </context>
    <context>
        <name>MeetingLinks</name>
        <message>
            <location filename="../meeting_links.py" line="124" />
            <source>Sign-in</source>
            <translation>Anmeldung</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="128" />
            <source>The sign-in went back to session {id}.</source>
            <translation>Die Anmeldung ging zurück an die Sitzung {id}.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="68" />
            <location filename="../meeting_links.py" line="158" />
            <location filename="../meeting_links.py" line="202" />
            <source>Join meeting</source>
            <extracomment>(profile name, RunOptions with the rebuilt link as join_url) a line for the status bar a link went to a running session (``session.join.Joined``) a running session refused a link (``LauncherError``); the box offers a new session</extracomment>
            <translation>Besprechung beitreten</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="69" />
            <source>The clipboard holds no meeting link.</source>
            <translation>Die Zwischenablage enthält keinen Besprechungslink.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="71" />
            <source>Copy the link from the invitation, then try again.</source>
            <translation>Kopieren Sie den Link aus der Einladung und versuchen Sie es erneut.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="82" />
            <location filename="../meeting_links.py" line="117" />
            <source>Open meeting link</source>
            <translation>Besprechungslink öffnen</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="83" />
            <source>Meeting link (Zoom, Teams, Webex or an https:// web meeting):</source>
            <translation>Besprechungslink (Zoom, Teams, Webex oder eine https://-Webbesprechung):</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="118" />
            <source>Which kind of meeting is on {host}?</source>
            <translation>Welche Art Besprechung läuft auf {host}?</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="122" />
            <source>&amp;Open</source>
            <translation>Ö&amp;ffnen</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="142" />
            <source>Meeting link refused</source>
            <translation>Besprechungslink abgelehnt</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="145" />
            <source>Nothing was started; the link was passed to no program.</source>
            <translation>Nichts wurde gestartet; der Link wurde an kein Programm weitergegeben.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="148" />
            <source>What to do: {hint}</source>
            <translation>Was tun: {hint}</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="159" />
            <source>{title} is already running in session {id}.</source>
            <translation>{title} läuft bereits in Sitzung {id}.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="162" />
            <source>Join this meeting in the running session (its client is handed the link and stays confined as it is), or start a new session for it?</source>
            <translation>Dieser Besprechung in der laufenden Sitzung beitreten (ihr Client erhält den Link und bleibt so eingeschränkt wie bisher) oder eine neue Sitzung dafür starten?</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="164" />
            <source>&amp;Join in running session</source>
            <translation>In laufender Sitzung &amp;beitreten</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="167" />
            <location filename="../meeting_links.py" line="204" />
            <source>Start a &amp;new session</source>
            <translation>&amp;Neue Sitzung starten</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="185" />
            <source>Handing the {service} meeting on {host} to session {id}…</source>
            <translation>Die {service}-Besprechung auf {host} wird an Sitzung {id} übergeben…</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="191" />
            <source>Session {id} has the meeting on {host}.</source>
            <translation>Sitzung {id} hat die Besprechung auf {host} übernommen.</translation>
        </message>
        <message>
            <location filename="../meeting_links.py" line="217" />
            <source>Opening a {service} meeting on {host} in the profile {profile}…</source>
            <translation>Öffne eine {service}-Besprechung auf {host} im Profil {profile}…</translation>
        </message>
    </context>
    <context>
        <name>PackageCheck</name>
        <message>
            <location filename="../package_check.py" line="30" />
            <source>Check the package with (only if the vendor's signature cannot be checked on this computer)</source>
            <translation>Paket prüfen mit (nur wenn die Signatur des Herstellers auf diesem Computer nicht prüfbar ist)</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="35" />
            <source>the SHA-256 checksum from the vendor's download page (64 hex digits)</source>
            <translation>die SHA-256-Prüfsumme von der Downloadseite des Herstellers (64 Hexadezimalziffern)</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="48" />
            <source>SHA-256 &amp;checksum:</source>
            <translation>SHA-256-&amp;Prüfsumme:</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="53" />
            <source>a signature file (.asc or .sig) the vendor publishes next to the package</source>
            <translation>eine Signaturdatei (.asc oder .sig), die der Hersteller neben dem Paket veröffentlicht</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="56" />
            <source>C&amp;hoose…</source>
            <translation>&amp;Wählen…</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="64" />
            <source>Signature &amp;file:</source>
            <translation>Signatur&amp;datei:</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="71" />
            <source>64 hex digits (0-9, a-f)</source>
            <translation>64 Hexadezimalziffern (0-9, a-f)</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="75" />
            <source>The package's signature file</source>
            <translation>Die Signaturdatei des Pakets</translation>
        </message>
        <message>
            <location filename="../package_check.py" line="76" />
            <source>Signatures (*.asc *.sig)</source>
            <translation>Signaturen (*.asc *.sig)</translation>
        </message>
    </context>
    <context>
        <name>PendingDownloads</name>
        <message>
            <location filename="../downloads.py" line="63" />
            <source>No downloads are waiting.</source>
            <extracomment>the files waiting for this session id changed (arrived, kept, discarded, busy) a line for the status bar</extracomment>
            <translation>Es warten keine Downloads.</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="127" />
            <source>The downloads of {id} keep waiting in the session's details.</source>
            <translation>Die Downloads von {id} warten weiter in den Details der Sitzung.</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="138" />
            <source>Keep the downloads in</source>
            <translation>Downloads behalten in</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="153" />
            <source>Keeping the files in {folder}…</source>
            <translation>Die Dateien werden nach {folder} verschoben…</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="158" />
            <source>Kept {files} of {id} in {folder}.</source>
            <translation>{files} von {id} in {folder} behalten.</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="165" />
            <source>Discarding the files…</source>
            <translation>Die Dateien werden verworfen…</translation>
        </message>
        <message>
            <location filename="../downloads.py" line="169" />
            <source>Discarded {files} of {id}.</source>
            <translation>{files} von {id} verworfen.</translation>
        </message>
    </context>
    <context>
        <name>ProfileCard</name>
        <message>
            <location filename="../profile_list.py" line="56" />
            <source>built-in</source>
            <translation>mitgeliefert</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="56" />
            <source>yours</source>
            <translation>eigenes</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="58" />
            <source>built-in, changed</source>
            <translation>mitgeliefert, geändert</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="62" />
            <source>Client: {client} · Backend: {backend}</source>
            <translation>Client: {client} · Backend: {backend}</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="72" />
            <source>Fixed by the system policy: {what}</source>
            <translation>Von der Systemrichtlinie festgelegt: {what}</translation>
        </message>
    </context>
    <context>
        <name>ProfileEditor</name>
        <message>
            <location filename="../profile_editor.py" line="60" />
            <source>General</source>
            <extracomment>Which section a field is in, by the start of its key (the rest: Advanced). What the client field offers (the schema's own words: a vendor, a browser, none).</extracomment>
            <translation>Allgemein</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="61" />
            <source>Network</source>
            <translation>Netzwerk</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="62" />
            <source>Devices</source>
            <translation>Geräte</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="63" />
            <source>Advanced</source>
            <translation>Erweitert</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="81" />
            <source>Edit profile {name}</source>
            <extracomment>the user's file of a profile was removed (reset to built-in, or deleted)</extracomment>
            <translation>Profil {name} bearbeiten</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="82" />
            <source>New profile</source>
            <translation>Neues Profil</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="93" />
            <source>Empty (defaults)</source>
            <translation>Leer (Voreinstellungen)</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="98" />
            <source>Start &amp;from:</source>
            <translation>Ausgehen &amp;von:</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="101" />
            <source>Profile name</source>
            <translation>Profilname</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="106" />
            <source>&amp;Name:</source>
            <translation>&amp;Name:</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="120" />
            <source>Save the profile</source>
            <translation>Das Profil speichern</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="161" />
            <source>&amp;Reset to built-in…</source>
            <translation>Auf &amp;mitgelieferte Einstellungen zurücksetzen…</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="163" />
            <source>&amp;Delete profile…</source>
            <translation>Profil &amp;löschen…</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="179" />
            <source>use lower-case letters, digits, '-' and '_' (at most 48)</source>
            <translation>Kleinbuchstaben, Ziffern, '-' und '_' verwenden (höchstens 48)</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="192" />
            <source>{title} (mine)</source>
            <translation>{title} (eigenes)</translation>
        </message>
        <message numerus="yes">
            <location filename="../profile_editor.py" line="205" />
            <source>%n field(s) need attention</source>
            <translation>
                <numerusform>%n Feld braucht Aufmerksamkeit</numerusform>
                <numerusform>%n Felder brauchen Aufmerksamkeit</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="218" />
            <source>Reset {name} to its built-in settings? Your changes to it are deleted.</source>
            <translation>{name} auf die mitgelieferten Einstellungen zurücksetzen? Ihre Änderungen daran werden gelöscht.</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="220" />
            <source>Delete the profile {name}?</source>
            <translation>Das Profil {name} löschen?</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="223" />
            <source>&amp;Reset</source>
            <translation>&amp;Zurücksetzen</translation>
        </message>
        <message>
            <location filename="../profile_editor.py" line="223" />
            <source>&amp;Delete</source>
            <translation>&amp;Löschen</translation>
        </message>
    </context>
    <context>
        <name>ProfileList</name>
        <message>
            <location filename="../profile_list.py" line="27" />
            <source>Network: none (loopback only)</source>
            <translation>Netzwerk: keines (nur Loopback)</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="31" />
            <source>Network: only the meeting link's server, ports {ports}</source>
            <translation>Netzwerk: nur der Server des Besprechungslinks, Ports {ports}</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="34" />
            <source>Network: {count} domains</source>
            <translation>Netzwerk: {count} Domains</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="37" />
            <source> + published ranges of {vendors}</source>
            <translation> + veröffentlichte Adressbereiche von {vendors}</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="39" />
            <source>, ports {ports}</source>
            <translation>, Ports {ports}</translation>
        </message>
        <message>
            <location filename="../profile_list.py" line="87" />
            <source>Profiles</source>
            <translation>Profile</translation>
        </message>
    </context>
    <context>
        <name>Profiles</name>
        <message>
            <location filename="../profile_text.py" line="17" />
            <source>BigBlueButton (web)</source>
            <translation>BigBlueButton (Web)</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="18" />
            <source>A BigBlueButton meeting in a throwaway browser window, network only to its server.</source>
            <translation>Eine BigBlueButton-Besprechung in einem Wegwerf-Browserfenster, Netzwerk nur zu ihrem Server.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="20" />
            <source>Generic sandbox</source>
            <translation>Allgemeine Sandbox</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="21" />
            <source>An empty throwaway sandbox for a command you name; no network.</source>
            <translation>Eine leere Wegwerf-Sandbox für einen Befehl Ihrer Wahl; kein Netzwerk.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="23" />
            <source>Jitsi Meet (web)</source>
            <translation>Jitsi Meet (Web)</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="24" />
            <source>Jitsi Meet in a throwaway browser window, network only to the meeting's server.</source>
            <translation>Jitsi Meet in einem Wegwerf-Browserfenster, Netzwerk nur zum Server der Besprechung.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="26" />
            <source>Nextcloud Talk (web)</source>
            <translation>Nextcloud Talk (Web)</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="27" />
            <source>A Nextcloud Talk call in a throwaway browser window, network only to its server.</source>
            <translation>Ein Nextcloud-Talk-Anruf in einem Wegwerf-Browserfenster, Netzwerk nur zu seinem Server.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="29" />
            <source>Microsoft Teams (web)</source>
            <translation>Microsoft Teams (Web)</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="30" />
            <source>Teams in a throwaway browser window, network only to Microsoft's servers.</source>
            <translation>Teams in einem Wegwerf-Browserfenster, Netzwerk nur zu den Servern von Microsoft.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="32" />
            <source>Web meeting</source>
            <translation>Web-Besprechung</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="33" />
            <source>Any https:// meeting page in a throwaway browser window, network only to its host.</source>
            <translation>Eine beliebige https://-Besprechungsseite in einem Wegwerf-Browserfenster, Netzwerk nur zu ihrem Host.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="35" />
            <source>Webex (web)</source>
            <translation>Webex (Web)</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="36" />
            <source>Webex in a throwaway browser window, network only to Cisco Webex's servers.</source>
            <translation>Webex in einem Wegwerf-Browserfenster, Netzwerk nur zu den Servern von Cisco Webex.</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="38" />
            <source>Zoom</source>
            <translation>Zoom</translation>
        </message>
        <message>
            <location filename="../profile_text.py" line="39" />
            <source>Zoom desktop client, network only to Zoom's servers.</source>
            <translation>Zoom-Desktop-Client, Netzwerk nur zu den Servern von Zoom.</translation>
        </message>
    </context>
    <context>
        <name>Questions</name>
        <message>
            <location filename="../questions.py" line="26" />
            <source>Stop meeting</source>
            <translation>Besprechung beenden</translation>
        </message>
        <message>
            <location filename="../questions.py" line="27" />
            <source>Stop {title} ({id}) and wipe its sandbox?</source>
            <translation>{title} ({id}) beenden und seine Sandbox löschen?</translation>
        </message>
        <message>
            <location filename="../questions.py" line="31" />
            <source>The meeting ends for you, and everything the client saved in the sandbox is deleted.</source>
            <translation>Die Besprechung endet für Sie, und alles, was der Client in der Sandbox gespeichert hat, wird gelöscht.</translation>
        </message>
        <message>
            <location filename="../questions.py" line="34" />
            <source>&amp;Stop &amp;&amp; Wipe</source>
            <translation>&amp;Beenden &amp;&amp; Löschen</translation>
        </message>
        <message>
            <location filename="../questions.py" line="39" />
            <source>Stop without asking from now on</source>
            <translation>Künftig ohne Nachfrage beenden</translation>
        </message>
        <message>
            <location filename="../questions.py" line="58" />
            <source>1 meeting is running.</source>
            <translation>1 Besprechung läuft.</translation>
        </message>
        <message>
            <location filename="../questions.py" line="59" />
            <source>Quitting stops it and wipes its sandbox. Kept in the tray, it goes on.</source>
            <translation>Beenden stoppt sie und löscht ihre Sandbox. Im Infobereich behalten, läuft sie weiter.</translation>
        </message>
        <message>
            <location filename="../questions.py" line="62" />
            <source>&amp;Stop &amp;&amp; wipe it and quit</source>
            <translation>Sie &amp;beenden, löschen und schließen</translation>
        </message>
        <message>
            <location filename="../questions.py" line="63" />
            <source>{n} meetings are running.</source>
            <translation>{n} Besprechungen laufen.</translation>
        </message>
        <message>
            <location filename="../questions.py" line="65" />
            <source>Quitting stops them and wipes their sandboxes. Kept in the tray, they go on.</source>
            <translation>Beenden stoppt sie und löscht ihre Sandboxen. Im Infobereich behalten, laufen sie weiter.</translation>
        </message>
        <message>
            <location filename="../questions.py" line="68" />
            <source>&amp;Stop &amp;&amp; wipe them and quit</source>
            <translation>Alle &amp;beenden, löschen und schließen</translation>
        </message>
        <message>
            <location filename="../questions.py" line="77" />
            <source>Quit Sandbox Launcher</source>
            <translation>Sandbox Launcher beenden</translation>
        </message>
        <message>
            <location filename="../questions.py" line="85" />
            <source>&amp;Keep running in the tray</source>
            <translation>Im Infobereich &amp;weiterlaufen lassen</translation>
        </message>
    </context>
    <context>
        <name>Schema</name>
        <message>
            <location filename="../fields.py" line="195" />
            <source>Title</source>
            <extracomment>Field titles, for lupdate (the schema itself stays free of Qt).</extracomment>
            <translation>Titel</translation>
        </message>
        <message>
            <location filename="../fields.py" line="196" />
            <source>Description</source>
            <translation>Beschreibung</translation>
        </message>
        <message>
            <location filename="../fields.py" line="197" />
            <source>Client</source>
            <translation>Client</translation>
        </message>
        <message>
            <location filename="../fields.py" line="198" />
            <source>Command</source>
            <translation>Befehl</translation>
        </message>
        <message>
            <location filename="../fields.py" line="199" />
            <source>Backend</source>
            <translation>Backend</translation>
        </message>
        <message>
            <location filename="../fields.py" line="200" />
            <source>Home size</source>
            <translation>Größe des Home</translation>
        </message>
        <message>
            <location filename="../fields.py" line="201" />
            <source>/tmp size</source>
            <translation>Größe von /tmp</translation>
        </message>
        <message>
            <location filename="../fields.py" line="202" />
            <source>/dev/shm size</source>
            <translation>Größe von /dev/shm</translation>
        </message>
        <message>
            <location filename="../fields.py" line="203" />
            <source>Nested user namespaces</source>
            <translation>Verschachtelte User-Namespaces</translation>
        </message>
        <message>
            <location filename="../fields.py" line="204" />
            <source>Allowed system calls</source>
            <translation>Erlaubte Systemaufrufe</translation>
        </message>
        <message>
            <location filename="../fields.py" line="205" />
            <source>Environment</source>
            <translation>Umgebung</translation>
        </message>
        <message>
            <location filename="../fields.py" line="206" />
            <source>Host variables passed</source>
            <translation>Durchgereichte Host-Variablen</translation>
        </message>
        <message>
            <location filename="../fields.py" line="207" />
            <source>Network</source>
            <translation>Netzwerk</translation>
        </message>
        <message>
            <location filename="../fields.py" line="208" />
            <source>Allowed domains</source>
            <translation>Erlaubte Domains</translation>
        </message>
        <message>
            <location filename="../fields.py" line="209" />
            <source>Allowed networks</source>
            <translation>Erlaubte Netze</translation>
        </message>
        <message>
            <location filename="../fields.py" line="210" />
            <source>Allowed ports</source>
            <translation>Erlaubte Ports</translation>
        </message>
        <message>
            <location filename="../fields.py" line="211" />
            <source>Vendor address lists</source>
            <translation>Adresslisten des Herstellers</translation>
        </message>
        <message>
            <location filename="../fields.py" line="212" />
            <source>Allowed countries</source>
            <translation>Erlaubte Länder</translation>
        </message>
        <message>
            <location filename="../fields.py" line="213" />
            <source>Denied countries</source>
            <translation>Gesperrte Länder</translation>
        </message>
        <message>
            <location filename="../fields.py" line="214" />
            <source>Display</source>
            <translation>Anzeige</translation>
        </message>
        <message>
            <location filename="../fields.py" line="215" />
            <source>Window size</source>
            <translation>Fenstergröße</translation>
        </message>
        <message>
            <location filename="../fields.py" line="216" />
            <source>Speakers</source>
            <translation>Lautsprecher</translation>
        </message>
        <message>
            <location filename="../fields.py" line="217" />
            <source>Session-bus services</source>
            <translation>Dienste am Session-Bus</translation>
        </message>
        <message>
            <location filename="../fields.py" line="218" />
            <source>Seeded home files</source>
            <translation>Vorbelegte Dateien im Home</translation>
        </message>
        <message>
            <location filename="../fields.py" line="219" />
            <source>Meeting page</source>
            <translation>Besprechungsseite</translation>
        </message>
        <message>
            <location filename="../fields.py" line="220" />
            <source>Any meeting host</source>
            <translation>Beliebiger Besprechungs-Host</translation>
        </message>
        <message>
            <location filename="../fields.py" line="221" />
            <source>Browser</source>
            <translation>Browser</translation>
        </message>
        <message>
            <location filename="../fields.py" line="222" />
            <source>Browser arguments</source>
            <translation>Browser-Argumente</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="18" />
            <source>Name shown in the app; the file name when empty.</source>
            <extracomment>Field descriptions, for lupdate (the schema itself stays free of Qt).</extracomment>
            <translation>In der App angezeigter Name; wenn leer, der Dateiname.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="19" />
            <source>One line on what this profile runs.</source>
            <translation>Eine Zeile dazu, was dieses Profil ausführt.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="20" />
            <source>Which client the profile runs: a vendor's (zoom), a browser (browser, chromium, firefox) or none for a command.</source>
            <translation>Welchen Client das Profil ausführt: den eines Herstellers (zoom), einen Browser (browser, chromium, firefox) oder none für einen Befehl.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="22" />
            <source>Program and arguments started inside the sandbox; empty means the client's own.</source>
            <translation>Programm und Argumente, die in der Sandbox gestartet werden; leer heißt: der eigene Befehl des Clients.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="24" />
            <source>namespace: bubblewrap on this kernel; vm: a disposable virtual machine.</source>
            <translation>namespace: bubblewrap auf diesem Kernel; vm: eine virtuelle Wegwerf-Maschine.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="26" />
            <source>Size limit of the throwaway home; writes past it fail with 'no space left'.</source>
            <translation>Größenbegrenzung des Wegwerf-Home; Schreibzugriffe darüber hinaus scheitern mit 'no space left'.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="28" />
            <source>Size limit of the throwaway /tmp (also /var/tmp).</source>
            <translation>Größenbegrenzung des Wegwerf-Verzeichnisses /tmp (auch /var/tmp).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="29" />
            <source>Size limit of shared memory (/dev/shm).</source>
            <translation>Größenbegrenzung des gemeinsamen Speichers (/dev/shm).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="30" />
            <source>Let the client create user namespaces of its own (the sandboxes of Chromium, CEF and Firefox need this); off, it cannot.</source>
            <translation>Dem Client erlauben, eigene User-Namespaces anzulegen (die Sandboxes von Chromium, CEF und Firefox brauchen das); ausgeschaltet kann er das nicht.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="33" />
            <source>System calls to take off the deny list for this client.</source>
            <translation>Systemaufrufe, die für diesen Client von der Sperrliste genommen werden.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="34" />
            <source>Extra environment variables set inside the sandbox.</source>
            <translation>Zusätzliche Umgebungsvariablen, die in der Sandbox gesetzt werden.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="35" />
            <source>Names of host environment variables passed through unchanged.</source>
            <translation>Namen von Umgebungsvariablen des Rechners, die unverändert durchgereicht werden.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="36" />
            <source>allowlist: only the vendor's servers below; none: loopback only.</source>
            <translation>allowlist: nur die unten genannten Server des Herstellers; none: nur Loopback.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="38" />
            <source>Names that resolve and may be reached (zoom.us, *.zoom.us).</source>
            <translation>Namen, die aufgelöst und erreicht werden dürfen (zoom.us, *.zoom.us).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="39" />
            <source>Address ranges reached by IP without a name (media servers).</source>
            <translation>Adressbereiche, die ohne Namen direkt über die IP-Adresse erreicht werden (Medienserver).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="40" />
            <source>Destination ports, such as tcp/443 or udp/8801-8810.</source>
            <translation>Zielports, etwa tcp/443 oder udp/8801-8810.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="41" />
            <source>Published address lists of the vendor to allow by IP (zoom), kept as dated data.</source>
            <translation>Veröffentlichte Adresslisten des Herstellers, deren IP-Adressen erlaubt werden (zoom); als datierte Daten hinterlegt.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="43" />
            <source>When set, only servers registered in these countries (ISO codes such as DE) may be reached.</source>
            <translation>Wenn gesetzt, sind nur Server erreichbar, die in diesen Ländern registriert sind (ISO-Codes wie DE).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="45" />
            <source>Servers registered in these countries are blocked even under an allowed name.</source>
            <translation>Server, die in diesen Ländern registriert sind, werden auch unter einem erlaubten Namen blockiert.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="47" />
            <source>isolated: on Wayland the compositor's socket alone, else the client's own nested X server in a window; either way it sees only its own windows; none: no display; insecure_host_x11: the host X server, where the client can read the screen and every keystroke (the system policy may forbid it).</source>
            <translation>isolated: unter Wayland allein der Socket des Compositors, sonst ein eigener verschachtelter X-Server des Clients in einem Fenster; so oder so sieht der Client nur seine eigenen Fenster; none: keine Anzeige; insecure_host_x11: der X-Server des Rechners, über den der Client den Bildschirm und jeden Tastendruck mitlesen kann (die Systemrichtlinie kann das verbieten).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="52" />
            <source>Size of the isolated display's window (WIDTHxHEIGHT).</source>
            <translation>Größe des Fensters der isolierten Anzeige (BREITExHÖHE).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="53" />
            <source>Whether the client's sound reaches the host's speakers (through a sound server of the session's own; the microphone is separate, off unless switched on).</source>
            <translation>Ob der Ton des Clients die Lautsprecher des Rechners erreicht (über einen eigenen Soundserver der Sitzung; das Mikrofon ist davon getrennt und aus, solange es nicht eingeschaltet wird).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="56" />
            <source>Services the client may call on the session bus, through a filtering proxy (org.freedesktop.Notifications); never password stores nor the whole bus.</source>
            <translation>Dienste, die der Client am Session-Bus aufrufen darf, über einen filternden Proxy (org.freedesktop.Notifications); nie Passwortspeicher und nie der ganze Bus.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="59" />
            <source>Files written into the throwaway home before the client starts, path below the home = content (Zoom's .config/zoomus.conf settings).</source>
            <translation>Dateien, die vor dem Start des Clients in das Wegwerf-Home geschrieben werden, Pfad unterhalb des Home = Inhalt (Zooms Einstellungen in .config/zoomus.conf).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="62" />
            <source>The page a browser client opens when no link is given (empty: a link is needed).</source>
            <translation>Die Seite, die ein Browser-Client öffnet, wenn kein Link angegeben ist (leer: ein Link ist nötig).</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="64" />
            <source>Accept a link to any https:// host and allow that host (self-hosted Jitsi, BigBlueButton, Nextcloud Talk); off, the link's host must be an allowed domain.</source>
            <translation>Einen Link zu einem beliebigen https://-Host annehmen und diesen Host erlauben (selbst betriebenes Jitsi, BigBlueButton, Nextcloud Talk); ausgeschaltet muss der Host des Links eine erlaubte Domain sein.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="67" />
            <source>Which of the host's browsers runs the meeting (client = "browser"): chromium, firefox (Debian's firefox-esr), or auto: Chromium if installed, else Firefox.</source>
            <translation>Welcher Browser des Rechners die Besprechung ausführt (client = "browser"): chromium, firefox (Debians firefox-esr) oder auto: Chromium, falls installiert, sonst Firefox.</translation>
        </message>
        <message>
            <location filename="../field_help.py" line="70" />
            <source>Extra arguments for the browser, after the launcher's own (fresh profile, no background networking, app mode).</source>
            <translation>Zusätzliche Argumente für den Browser, nach denen des Launchers (frisches Browserprofil, keine Netzwerkzugriffe im Hintergrund, App-Modus).</translation>
        </message>
        <message>
            <location filename="../fields.py" />
            <source>Remember sign-in</source>
            <translation>Anmeldung merken</translation>
        </message>
        <message>
            <location filename="../fields.py" />
            <source>Sign-in paths</source>
            <translation>Anmeldepfade</translation>
        </message>
        <message>
            <location filename="../field_help.py" />
            <source>Keep the client's sign-in between sessions: the sign-in paths are saved encrypted at the end of a session (key in your desktop's keyring) and put back into the next fresh home; off, every session starts signed out.</source>
            <translation>Die Anmeldung des Clients über Sitzungen hinweg behalten: die Anmeldepfade werden am Ende einer Sitzung verschlüsselt gespeichert (Schlüssel im Schlüsselbund Ihres Desktops) und in das nächste frische Home zurückgelegt; aus, beginnt jede Sitzung abgemeldet.</translation>
        </message>
        <message>
            <location filename="../field_help.py" />
            <source>Files and folders below the home that hold the client's sign-in (Zoom: .zoom/data, .config/zoomus.conf); never caches or logs.</source>
            <translation>Dateien und Ordner unter dem Home, die die Anmeldung des Clients enthalten (Zoom: .zoom/data, .config/zoomus.conf); niemals Caches oder Protokolle.</translation>
        </message>
    </context>
    <context>
        <name>SessionTrouble</name>
        <message>
            <location filename="../session_trouble.py" line="20" />
            <source>{names} did not answer — no network?</source>
            <extracomment>DNS verdicts that mean the question got no answer from the upstream resolver.</extracomment>
            <translation>{names} hat nicht geantwortet – kein Netzwerk?</translation>
        </message>
        <message>
            <location filename="../session_trouble.py" line="36" />
            <source>Names outside the allowlist refused: {n}.</source>
            <translation>Abgelehnte Namen außerhalb der Freigabeliste: {n}.</translation>
        </message>
        <message>
            <location filename="../session_trouble.py" line="40" />
            <source>The client ended with status {status}.</source>
            <translation>Der Client endete mit Status {status}.</translation>
        </message>
        <message>
            <location filename="../session_trouble.py" line="44" />
            <source>Lost: {what}.</source>
            <translation>Verloren: {what}.</translation>
        </message>
    </context>
    <context>
        <name>SessionsView</name>
        <message>
            <location filename="../sessions_view.py" line="49" />
            <source>planned</source>
            <extracomment>The column that shows the devices a running session has in use.</extracomment>
            <translation>geplant</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="50" />
            <source>preparing</source>
            <translation>wird vorbereitet</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="51" />
            <source>starting</source>
            <translation>startet</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="52" />
            <source>running</source>
            <translation>läuft</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="53" />
            <source>stopping</source>
            <translation>wird beendet</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="54" />
            <source>wiping</source>
            <translation>wird gelöscht</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="55" />
            <source>verifying wipe</source>
            <translation>Löschung wird geprüft</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="56" />
            <source>wiped</source>
            <translation>gelöscht</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="57" />
            <source>wipe not verified</source>
            <translation>Löschung nicht bestätigt</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="66" />
            <source>wipe verified</source>
            <translation>Löschung bestätigt</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="67" />
            <source>wipe NOT verified</source>
            <translation>Löschung NICHT bestätigt</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="68" />
            <source>1 host</source>
            <translation>1 Host</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="69" />
            <source>{n} hosts</source>
            <translation>{n} Hosts</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="70" />
            <source>1 country</source>
            <translation>1 Land</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="71" />
            <source>{n} countries</source>
            <translation>{n} Ländern</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="73" />
            <source>unknown</source>
            <translation>unbekannt</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="76" />
            <source>Contacted {hosts} in {countries}, blocked {blocked}; {wipe}.</source>
            <translation>{hosts} in {countries} kontaktiert, {blocked} blockiert; {wipe}.</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="109" />
            <source>Sessions</source>
            <extracomment>a session was stopped, saved… (the window's status bar shows it)</extracomment>
            <translation>Sitzungen</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="111" />
            <source>Profile</source>
            <translation>Profil</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="111" />
            <source>Session</source>
            <translation>Sitzung</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="111" />
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="111" />
            <source>Uptime</source>
            <translation>Laufzeit</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="112" />
            <source>CPU</source>
            <translation>CPU</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="112" />
            <source>Memory</source>
            <translation>Speicher</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="112" />
            <source>In use</source>
            <translation>In Gebrauch</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="133" />
            <source>Selected session</source>
            <translation>Gewählte Sitzung</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="135" />
            <location filename="../sessions_view.py" line="239" />
            <source>No session selected.</source>
            <translation>Keine Sitzung gewählt.</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="144" />
            <source>Connections</source>
            <translation>Verbindungen</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="146" />
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="146" />
            <source>Address</source>
            <translation>Adresse</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="146" />
            <source>Country</source>
            <translation>Land</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="146" />
            <source>Sent</source>
            <translation>Gesendet</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="147" />
            <source>Received</source>
            <translation>Empfangen</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="147" />
            <source>Verdict</source>
            <translation>Entscheidung</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="161" />
            <source>&amp;Stop &amp;&amp; Wipe</source>
            <translation>&amp;Beenden &amp;&amp; löschen</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="163" />
            <source>Stop and wipe the selected session</source>
            <translation>Die gewählte Sitzung beenden und löschen</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="165" />
            <source>Save &amp;report…</source>
            <translation>&amp;Bericht speichern…</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="167" />
            <source>Save the report of the selected session</source>
            <translation>Den Bericht der gewählten Sitzung speichern</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="169" />
            <location filename="../sessions_view.py" line="344" />
            <source>&amp;Microphone on</source>
            <translation>&amp;Mikrofon ein</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="172" />
            <source>Microphone of the selected session</source>
            <translation>Mikrofon der ausgewählten Sitzung</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="209" />
            <source>failed to start</source>
            <translation>Start fehlgeschlagen</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="29" />
            <source>● camera {name}</source>
            <translation>● Kamera {name}</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="32" />
            <source>● microphone</source>
            <translation>● Mikrofon</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="35" />
            <source>● screen (portal)</source>
            <translation>● Bildschirm (Portal)</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="37" />
            <source>● sharing “{title}”</source>
            <translation>● teilt „{title}“</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="45" />
            <source>camera {name}: granted, not in use</source>
            <translation>Kamera {name}: freigegeben, nicht in Gebrauch</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="48" />
            <source>camera {name}: granted, counted as in use since {time} (a process of the session hides its open files)</source>
            <translation>Kamera {name}: freigegeben, seit {time} als in Gebrauch gezählt (ein Prozess der Sitzung verbirgt seine offenen Dateien)</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="52" />
            <source>camera {name}: granted, in use since {time}</source>
            <translation>Kamera {name}: freigegeben, in Gebrauch seit {time}</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="62" />
            <source>microphone ON, not in use</source>
            <translation>Mikrofon EIN, nicht in Gebrauch</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="63" />
            <source>microphone ON, in use since {time}</source>
            <translation>Mikrofon EIN, in Gebrauch seit {time}</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="69" />
            <source>screen (portal)</source>
            <translation>Bildschirm (Portal)</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="71" />
            <source>sharing “{title}”</source>
            <translation>teilt „{title}“</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="74" />
            <source>{what}: granted, not in use</source>
            <translation>{what}: freigegeben, nicht in Gebrauch</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="76" />
            <source>{what}: in use since {time}</source>
            <translation>{what}: in Gebrauch seit {time}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="258" />
            <source>Could not start: {why}</source>
            <translation>Konnte nicht starten: {why}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="263" />
            <source>{title} ({id}): {state}</source>
            <translation>{title} ({id}): {state}</translation>
        </message>
        <message>
            <location filename="../device_use.py" line="60" />
            <source>microphone muted</source>
            <translation>Mikrofon stumm</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="276" />
            <source>allowed</source>
            <translation>erlaubt</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="277" />
            <source>blocked</source>
            <translation>blockiert</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="302" />
            <source>The microphone of {id} stays muted: {why}</source>
            <translation>Das Mikrofon von {id} bleibt stumm: {why}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="316" />
            <source>{id} ended. {summary}</source>
            <translation>{id} ist beendet. {summary}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="343" />
            <source>&amp;Mute microphone</source>
            <translation>Mikrofon &amp;stummschalten</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="347" />
            <source>This session has no microphone to switch (no sound server, --no-mic, or the system policy).</source>
            <translation>Diese Sitzung hat kein schaltbares Mikrofon (kein Soundserver, --no-mic oder die Systemrichtlinie).</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="362" />
            <source>Muting the microphone of {id}…</source>
            <translation>Schalte das Mikrofon von {id} stumm…</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="363" />
            <source>Switching on the microphone of {id}…</source>
            <translation>Schalte das Mikrofon von {id} ein…</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="382" />
            <source>Stopping {id} and wiping it…</source>
            <translation>{id} wird beendet und gelöscht…</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="388" />
            <source>Save the session report</source>
            <translation>Den Sitzungsbericht speichern</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="401" />
            <source>Report saved to {path}</source>
            <translation>Bericht gespeichert unter {path}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="267" />
            <source>Lost: {what}</source>
            <translation>Verloren: {what}</translation>
        </message>
        <message>
            <location filename="../sessions_view.py" line="302" />
            <source>{id}: {what}</source>
            <translation>{id}: {what}</translation>
        </message>
        <message>
            <source>checking the guest image</source>
            <translation>das Gast-Abbild wird geprüft</translation>
        </message>
        <message>
            <source>taking a ready virtual machine</source>
            <translation>eine bereite virtuelle Maschine wird übernommen</translation>
        </message>
        <message>
            <source>booting the virtual machine</source>
            <translation>die virtuelle Maschine startet</translation>
        </message>
        <message>
            <source>restoring the sign-in</source>
            <translation>die Anmeldung wird wiederhergestellt</translation>
        </message>
        <message>
            <source>opening its window</source>
            <translation>ihr Fenster wird geöffnet</translation>
        </message>
        <message>
            <source>starting the client</source>
            <translation>der Client wird gestartet</translation>
        </message>
        <message>
            <source>{state}: {step}…</source>
            <translation>{state}: {step} …</translation>
        </message>
    </context>
    <context>
        <name>Steps</name>
        <message>
            <location filename="../steps.py" line="34" />
            <source>waiting</source>
            <translation>wartet</translation>
        </message>
        <message>
            <location filename="../steps.py" line="35" />
            <source>under way</source>
            <translation>läuft</translation>
        </message>
        <message>
            <location filename="../steps.py" line="36" />
            <source>done</source>
            <translation>erledigt</translation>
        </message>
        <message>
            <location filename="../steps.py" line="37" />
            <source>failed</source>
            <translation>fehlgeschlagen</translation>
        </message>
        <message>
            <location filename="../steps.py" line="38" />
            <source>not needed</source>
            <translation>nicht nötig</translation>
        </message>
    </context>
    <context>
        <name>TrafficPlot</name>
        <message>
            <location filename="../traffic_plot.py" line="35" />
            <source>Network traffic of the selected session</source>
            <extracomment>Snapshots the width shows at least (so the first ones are not a sliver at the right).</extracomment>
            <translation>Netzwerkverkehr der gewählten Sitzung</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="58" />
            <source>Sending {out}/s, receiving {inbound}/s</source>
            <translation>Sendet {out}/s, empfängt {inbound}/s</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="68" />
            <source>No allowed traffic in the last minutes; the list below counts every connection since the start ({total})</source>
            <translation>Kein erlaubter Datenverkehr in den letzten Minuten; die Liste unten zählt jede Verbindung seit dem Start ({total})</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="71" />
            <source>No network traffic yet</source>
            <translation>Noch kein Netzwerkverkehr</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="108" />
            <source>sent</source>
            <translation>gesendet</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="108" />
            <source>received</source>
            <translation>empfangen</translation>
        </message>
        <message>
            <location filename="../traffic_plot.py" line="116" />
            <source>peak {rate}/s</source>
            <translation>Spitze {rate}/s</translation>
        </message>
    </context>
    <context>
        <name>Tray</name>
        <message>
            <location filename="../tray.py" line="46" />
            <location filename="../tray.py" line="192" />
            <source>Sandbox Launcher: no session running</source>
            <extracomment>a desktop notification was shown (title, text)</extracomment>
            <translation>Sandbox Launcher: keine Sitzung läuft</translation>
        </message>
        <message>
            <location filename="../tray.py" line="49" />
            <source>Sandbox Launcher</source>
            <translation>Sandbox Launcher</translation>
        </message>
        <message>
            <location filename="../tray.py" line="57" />
            <source>Sandbox Launcher is still running</source>
            <translation>Sandbox Launcher läuft weiter</translation>
        </message>
        <message>
            <location filename="../tray.py" line="58" />
            <source>It stays here in the tray, and running meetings go on. To end it, choose Quit in this icon's menu.</source>
            <translation>Er bleibt hier im Infobereich, laufende Besprechungen gehen weiter. Zum Beenden wählen Sie „Beenden“ im Menü dieses Symbols.</translation>
        </message>
        <message>
            <location filename="../tray.py" line="78" />
            <source>Launch</source>
            <translation>Starten</translation>
        </message>
        <message>
            <location filename="../tray.py" line="85" />
            <source>Join meeting from clipboard</source>
            <translation>Besprechung aus der Zwischenablage beitreten</translation>
        </message>
        <message>
            <location filename="../tray.py" line="89" />
            <source>Open meeting link…</source>
            <translation>Besprechungslink öffnen…</translation>
        </message>
        <message>
            <location filename="../tray.py" line="93" />
            <source>Clients…</source>
            <translation>Clients…</translation>
        </message>
        <message>
            <location filename="../tray.py" line="99" />
            <source>Running sessions</source>
            <translation>Laufende Sitzungen</translation>
        </message>
        <message>
            <location filename="../tray.py" line="105" />
            <source>{title} ({id}): {state}…</source>
            <translation>{title} ({id}): {state}…</translation>
        </message>
        <message>
            <location filename="../tray.py" line="106" />
            <source>Stop &amp;&amp; wipe {title} ({id})</source>
            <translation>{title} beenden &amp;&amp; löschen ({id})</translation>
        </message>
        <message>
            <location filename="../tray.py" line="116" />
            <source>Open window</source>
            <translation>Fenster öffnen</translation>
        </message>
        <message>
            <location filename="../tray.py" line="120" />
            <source>Quit</source>
            <translation>Beenden</translation>
        </message>
        <message>
            <location filename="../tray.py" line="139" />
            <source>Microphone on: {title} ({id})</source>
            <translation>Mikrofon ein: {title} ({id})</translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="178" />
            <source>Sandbox Launcher: camera and microphone live, %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: Kamera und Mikrofon aktiv, %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: Kamera und Mikrofon aktiv, %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="181" />
            <source>Sandbox Launcher: camera live, %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: Kamera aktiv, %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: Kamera aktiv, %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="183" />
            <source>Sandbox Launcher: screen shared and microphone live, %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: Bildschirm geteilt und Mikrofon aktiv, %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: Bildschirm geteilt und Mikrofon aktiv, %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="185" />
            <source>Sandbox Launcher: screen shared, %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: Bildschirm geteilt, %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: Bildschirm geteilt, %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="188" />
            <source>Sandbox Launcher: microphone live, %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: Mikrofon aktiv, %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: Mikrofon aktiv, %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="191" />
            <source>Sandbox Launcher: %n session(s) running</source>
            <translation>
                <numerusform>Sandbox Launcher: %n Sitzung läuft</numerusform>
                <numerusform>Sandbox Launcher: %n Sitzungen laufen</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../tray.py" line="212" />
            <source>Session started</source>
            <translation>Sitzung gestartet</translation>
        </message>
        <message>
            <location filename="../tray.py" line="213" />
            <source>{title} is running in a sandbox ({id}).</source>
            <translation>{title} läuft in einer Sandbox ({id}).</translation>
        </message>
        <message>
            <location filename="../tray.py" line="221" />
            <source>Connections blocked: {id}</source>
            <translation>Verbindungen blockiert: {id}</translation>
        </message>
        <message numerus="yes">
            <location filename="../tray.py" line="222" />
            <source>The sandbox blocked %n new destination(s) in the last seconds. The session's connection list names them.</source>
            <translation>
                <numerusform>Die Sandbox hat eben %n neues Ziel blockiert. Die Verbindungsliste der Sitzung nennt es.</numerusform>
                <numerusform>Die Sandbox hat eben %n neue Ziele blockiert. Die Verbindungsliste der Sitzung nennt sie.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../tray.py" line="235" />
            <source>Session ended: {id}</source>
            <translation>Sitzung beendet: {id}</translation>
        </message>
        <message>
            <location filename="../tray.py" line="210" />
            <source>Session {id} lost a helper</source>
            <translation>Sitzung {id} hat einen Helfer verloren</translation>
        </message>
    </context>
    <context>
        <name>WelcomeBar</name>
        <message>
            <location filename="../welcome.py" line="35" />
            <source>Join a meeting</source>
            <extracomment>the text in the link field (the window's link checker takes it from here) Start Zoom was pressed Install Zoom… was pressed</extracomment>
            <translation>Einer Besprechung beitreten</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="40" />
            <source>Paste the meeting link from the invitation (Zoom, Teams, Webex, Jitsi, …)</source>
            <translation>Besprechungslink aus der Einladung einfügen (Zoom, Teams, Webex, Jitsi, …)</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="42" />
            <source>Meeting link</source>
            <translation>Besprechungslink</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="48" />
            <source>&amp;Join</source>
            <translation>&amp;Beitreten</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="52" />
            <source>or</source>
            <translation>oder</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="54" />
            <location filename="../welcome.py" line="67" />
            <source>Start &amp;Zoom</source>
            <translation>&amp;Zoom starten</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="68" />
            <source>Start the Zoom client in a fresh sandbox</source>
            <translation>Den Zoom-Client in einer frischen Sandbox starten</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="70" />
            <source>Install &amp;Zoom…</source>
            <translation>&amp;Zoom installieren…</translation>
        </message>
        <message>
            <location filename="../welcome.py" line="71" />
            <source>Zoom is not installed yet: open the Clients window to install it from Zoom's package</source>
            <translation>Zoom ist noch nicht installiert: Öffnen Sie das Fenster Clients, um es aus dem Paket von Zoom zu installieren</translation>
        </message>
    </context>
    <context>
        <name>WipeSteps</name>
        <message>
            <location filename="../wipe_steps.py" line="20" />
            <source>A wipe cannot be cancelled: stopping it half-way would leave the session's processes or files behind.</source>
            <extracomment>The lifecycle states of a session's end, in order.</extracomment>
            <translation>Eine Löschung lässt sich nicht abbrechen: Ein Halt mittendrin ließe Prozesse oder Dateien der Sitzung zurück.</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="31" />
            <location filename="../wipe_steps.py" line="40" />
            <source>Stop and wipe progress</source>
            <translation>Fortschritt von Beenden und Löschen</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="53" />
            <source>Stopping the client</source>
            <translation>Client wird beendet</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="54" />
            <source>Wiping</source>
            <translation>Löschen</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="55" />
            <source>Verifying the wipe</source>
            <translation>Löschung wird geprüft</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="56" />
            <source>Wipe not verified</source>
            <translation>Löschung nicht bestätigt</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="57" />
            <source>Wiped</source>
            <translation>Gelöscht</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="96" />
            <source>Wipe NOT verified: the session's report names what is left.</source>
            <translation>Löschung NICHT bestätigt: Der Bericht der Sitzung nennt, was übrig ist.</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="97" />
            <source>Wipe verified: nothing of the session is left.</source>
            <translation>Löschung bestätigt: Von der Sitzung ist nichts übrig.</translation>
        </message>
        <message>
            <location filename="../wipe_steps.py" line="98" />
            <source>A wipe cannot be cancelled.</source>
            <translation>Eine Löschung lässt sich nicht abbrechen.</translation>
        </message>
    </context>
    <context>
        <name>VaultDialog</name>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Remembered &amp;sign-ins…</source>
            <translation>Gemerkte &amp;Anmeldungen…</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Remembered sign-ins</source>
            <translation>Gemerkte Anmeldungen</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Profiles with remember_signin = true keep the client's sign-in between sessions, encrypted, with the key in your desktop's keyring.</source>
            <translation>Profile mit remember_signin = true behalten die Anmeldung des Clients zwischen Sitzungen, verschlüsselt, mit dem Schlüssel im Schlüsselbund Ihres Desktops.</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Profile</source>
            <translation>Profil</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Remembers</source>
            <translation>Merkt sich</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Vault size</source>
            <translation>Tresorgröße</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Last used</source>
            <translation>Zuletzt benutzt</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Key</source>
            <translation>Schlüssel</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>&amp;Forget…</source>
            <translation>&amp;Vergessen…</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Reading…</source>
            <translation>Wird gelesen…</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>in the keyring</source>
            <translation>im Schlüsselbund</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>missing</source>
            <translation>fehlt</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>unknown</source>
            <translation>unbekannt</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>yes</source>
            <translation>ja</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>no</source>
            <translation>nein</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>no vault</source>
            <translation>kein Tresor</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>never</source>
            <translation>nie</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>No profile remembers sign-in.</source>
            <translation>Kein Profil merkt sich die Anmeldung.</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>{n} bad vault(s) kept for inspection in the vault folder.</source>
            <translation>{n} fehlerhafte(r) Tresor(e) zur Prüfung im Tresorordner aufbewahrt.</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Forget sign-in</source>
            <translation>Anmeldung vergessen</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Forget the sign-in of {profile}?</source>
            <translation>Die Anmeldung von {profile} vergessen?</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Its vault and its key are deleted; the next session starts signed out.</source>
            <translation>Sein Tresor und sein Schlüssel werden gelöscht; die nächste Sitzung beginnt abgemeldet.</translation>
        </message>
        <message>
            <location filename="../vault_dialog.py" />
            <source>Sign-in of {profile} forgotten.</source>
            <translation>Anmeldung von {profile} vergessen.</translation>
        </message>
    </context>
    <context>
        <name>LinkQuestionDialog</name>
        <message>
            <location filename="../link_question.py" line="66" />
            <source>A meeting asks to open an address</source>
            <translation>Eine Besprechung möchte eine Adresse öffnen</translation>
        </message>
        <message>
            <location filename="../link_question.py" line="68" />
            <source>The {profile} session {id} asks to open this address in your browser:</source>
            <translation>Die Sitzung {id} ({profile}) möchte diese Adresse in Ihrem Browser öffnen:</translation>
        </message>
        <message>
            <location filename="../link_question.py" line="77" />
            <source>It goes to &lt;b&gt;{host}&lt;/b&gt;. Open it only if you expected a sign-in or page there.</source>
            <translation>Sie führt zu &lt;b&gt;{host}&lt;/b&gt;. Öffnen Sie sie nur, wenn Sie dort eine Anmeldung oder Seite erwartet haben.</translation>
        </message>
        <message>
            <location filename="../link_question.py" line="86" />
            <source>&amp;Open in my browser</source>
            <translation>In meinem Browser ö&amp;ffnen</translation>
        </message>
        <message>
            <location filename="../link_question.py" line="88" />
            <source>&amp;Copy address</source>
            <translation>Adresse &amp;kopieren</translation>
        </message>
        <message>
            <location filename="../link_question.py" line="90" />
            <source>&amp;Refuse</source>
            <translation>&amp;Ablehnen</translation>
        </message>
    </context>
<context>
    <name>Spares</name>
    <message>
        <source>Keep a meeting &amp;ready (faster start)</source>
        <translation>Besprechung &amp;bereithalten (schnellerer Start)</translation>
    </message>
    <message>
        <source>Prepares a sandbox for your most used profiles in the background, so a click starts the meeting at once. It has no network until you start the meeting, and is never reused.</source>
        <translation>Bereitet im Hintergrund eine Sandbox für Ihre meistgenutzten Profile vor, damit ein Klick die Besprechung sofort startet. Sie hat kein Netzwerk, bis Sie die Besprechung starten, und wird nie wiederverwendet.</translation>
    </message>
    <message>
        <source>Not available: {why}</source>
        <translation>Nicht verfügbar: {why}</translation>
    </message>
</context>
<context>
        <name>HostCheckDialog</name>
        <message>
            <source>Check this computer</source>
            <translation>Diesen Computer prüfen</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>Ergebnis</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>Prüfung</translation>
        </message>
        <message>
            <source>Found</source>
            <translation>Gefunden</translation>
        </message>
        <message>
            <source>What this computer can do</source>
            <translation>Was dieser Computer kann</translation>
        </message>
        <message>
            <source>Check &amp;again</source>
            <translation>&amp;Erneut prüfen</translation>
        </message>
        <message>
            <source>Checking this computer… (a test sandbox starts and stops)</source>
            <translation>Dieser Computer wird geprüft … (eine Test-Sandbox startet und endet)</translation>
        </message>
        <message>
            <source>The check itself failed: {summary}</source>
            <translation>Die Prüfung selbst ist fehlgeschlagen: {summary}</translation>
        </message>
        <message>
            <source>works</source>
            <translation>funktioniert</translation>
        </message>
        <message>
            <source>limited</source>
            <translation>eingeschränkt</translation>
        </message>
        <message>
            <source>PROBLEM</source>
            <translation>PROBLEM</translation>
        </message>
        <message>
            <source>Meetings cannot run in a sandbox on this computer yet: {count} problem(s), listed first. Select one to see what to do.</source>
            <translation>Besprechungen können auf diesem Computer noch nicht in einer Sandbox laufen: {count} Problem(e), oben aufgeführt. Wählen Sie eines aus, um zu sehen, was zu tun ist.</translation>
        </message>
        <message>
            <source>Meetings can run in a sandbox on this computer. {count} thing(s) are limited; select one to see what it costs and how to fix it.</source>
            <translation>Besprechungen können auf diesem Computer in einer Sandbox laufen. {count} Punkt(e) sind eingeschränkt; wählen Sie einen aus, um zu sehen, was fehlt und wie es sich beheben lässt.</translation>
        </message>
        <message>
            <source>Everything works: meetings can run in a sandbox on this computer.</source>
            <translation>Alles funktioniert: Besprechungen können auf diesem Computer in einer Sandbox laufen.</translation>
        </message>
        <message>
            <source>Without it: {what} cannot work.</source>
            <translation>Ohne das funktioniert Folgendes nicht: {what}.</translation>
        </message>
        <message>
            <source>What to do (for whoever looks after this computer):</source>
            <translation>Was zu tun ist (für die Person, die diesen Computer betreut):</translation>
        </message>
        <message>
            <source>What to do:</source>
            <translation>Was zu tun ist:</translation>
        </message>
        <message>
            <source>&amp;Check this computer…</source>
            <translation>Diesen &amp;Computer prüfen…</translation>
        </message>
    </context>
<context>
        <name>VerifyDialog</name>
        <message>
            <source>Verify isolation: {profile}</source>
            <translation>Isolation überprüfen: {profile}</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>Prüfung</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>Ergebnis</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>Einzelheiten</translation>
        </message>
        <message>
            <source>Verification result</source>
            <translation>Ergebnis der Überprüfung</translation>
        </message>
        <message>
            <source>&amp;Verify now</source>
            <translation>Jetzt &amp;überprüfen</translation>
        </message>
        <message>
            <source>Not verified yet. Verify runs a hostile test client in this profile's sandbox (a few seconds).</source>
            <translation>Noch nicht überprüft. Die Überprüfung startet einen feindseligen Test-Client in der Sandbox dieses Profils (einige Sekunden).</translation>
        </message>
        <message>
            <source>Verifying… the test client is trying every escape.</source>
            <translation>Überprüfung läuft … der Test-Client versucht jeden Ausbruch.</translation>
        </message>
        <message>
            <source>Could not verify: {summary}</source>
            <translation>Überprüfung nicht möglich: {summary}</translation>
        </message>
        <message>
            <source>Passed: nothing escaped and every grant works.</source>
            <translation>Bestanden: nichts ist ausgebrochen, und jede Freigabe funktioniert.</translation>
        </message>
        <message>
            <source>FAILED: see the rows marked ESCAPED or BROKEN.</source>
            <translation>FEHLGESCHLAGEN: siehe die Zeilen mit ESCAPED oder BROKEN.</translation>
        </message>
        <message>
            <source>Could not verify: {error}</source>
            <translation>Überprüfung nicht möglich: {error}</translation>
        </message>
        <message>
            <source>(result of {time})</source>
            <translation>(Ergebnis vom {time})</translation>
        </message>
    </context>
<context>
    <name>GuestImages</name>
    <message>
        <source>&amp;Guest images…</source>
        <translation>&amp;Gastsysteme…</translation>
    </message>
    <message>
        <source>The meeting could not start</source>
        <translation>Die Besprechung konnte nicht starten</translation>
    </message>
    <message>
        <source>&amp;Build the image…</source>
        <translation>Abbild &amp;erstellen…</translation>
    </message>
</context>
<context>
    <name>ImageErrors</name>
    <message>
        <source>Debian&apos;s package server ({mirror}) could not be reached, so the image could not be built.</source>
        <translation>Debians Paketserver ({mirror}) war nicht erreichbar; das Abbild konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <source>Check the network connection, then build again. Nothing of the build was kept.</source>
        <translation>Prüfen Sie die Netzwerkverbindung und erstellen Sie dann erneut. Von diesem Versuch blieb nichts zurück.</translation>
    </message>
    <message>
        <source>The guest image “{name}” is not built yet.</source>
        <translation>Das Gastabbild „{name}“ ist noch nicht erstellt.</translation>
    </message>
    <message>
        <source>Build it in the Guest images window. It takes a few minutes and downloads Debian packages.</source>
        <translation>Erstellen Sie es im Fenster Gastsysteme. Das dauert einige Minuten und lädt Debian-Pakete herunter.</translation>
    </message>
    <message>
        <source>The guest image “{name}” was changed after it was built, so it is not used.</source>
        <translation>Das Gastabbild „{name}“ wurde nach dem Erstellen verändert und wird darum nicht verwendet.</translation>
    </message>
    <message>
        <source>Rebuild it in the Guest images window.</source>
        <translation>Erstellen Sie es im Fenster Gastsysteme neu.</translation>
    </message>
    <message>
        <source>The program {program} is missing; guest images are built with it.</source>
        <translation>Das Programm {program} fehlt; damit werden Gastabbilder erstellt.</translation>
    </message>
    <message>
        <source>Install the package “{package}” (with your software centre, or ask your administrator), then build again.</source>
        <translation>Installieren Sie das Paket „{package}“ (über Ihre Softwareverwaltung, oder fragen Sie Ihre Administration) und erstellen Sie dann erneut.</translation>
    </message>
    <message>
        <source>Your account has no range of subordinate user ids, which building a guest image without administrator rights needs.</source>
        <translation>Ihr Konto hat keinen Bereich untergeordneter Benutzerkennungen; den braucht das Erstellen eines Gastabbilds ohne Administratorrechte.</translation>
    </message>
    <message>
        <source>Ask your administrator to give your account a range in /etc/subuid and /etc/subgid.</source>
        <translation>Bitten Sie Ihre Administration, Ihrem Konto einen Bereich in /etc/subuid und /etc/subgid zu geben.</translation>
    </message>
    <message>
        <source>Not enough disk space: building needs about {needed} MiB in {where}; {free} MiB are free.</source>
        <translation>Nicht genug Speicherplatz: Das Erstellen braucht etwa {needed} MiB in {where}; frei sind {free} MiB.</translation>
    </message>
    <message>
        <source>Free that much space (removing guest images you no longer need helps), then build again.</source>
        <translation>Geben Sie so viel Platz frei (nicht mehr benötigte Gastabbilder zu entfernen hilft) und erstellen Sie dann erneut.</translation>
    </message>
    <message>
        <source>See the details.</source>
        <translation>Siehe Details.</translation>
    </message>
    <message>
        <source>As reported: {summary}</source>
        <translation>Gemeldet als: {summary}</translation>
    </message>
    <message>
        <source>On the command line: {hint}</source>
        <translation>Auf der Kommandozeile: {hint}</translation>
    </message>
</context>
<context>
    <name>ImagesWindow</name>
    <message>
        <source>Building</source>
        <translation>Wird erstellt</translation>
    </message>
    <message>
        <source>VM sessions</source>
        <translation>VM-Sitzungen</translation>
    </message>
    <message>
        <source>VM sessions that show the client&apos;s window</source>
        <translation>VM-Sitzungen, die das Fenster des Clients zeigen</translation>
    </message>
    <message>
        <source>the launcher&apos;s own tests (small)</source>
        <translation>die Tests des Launchers (klein)</translation>
    </message>
    <message>
        <source>your own recipe</source>
        <translation>Ihr eigenes Rezept</translation>
    </message>
    <message>
        <source>Used for</source>
        <translation>Verwendet für</translation>
    </message>
    <message>
        <source>not built</source>
        <translation>nicht erstellt</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>built</source>
        <translation>erstellt</translation>
    </message>
    <message>
        <source>modified — not used</source>
        <translation>verändert – nicht verwendet</translation>
    </message>
    <message>
        <source>out of date</source>
        <translation>veraltet</translation>
    </message>
    <message>
        <source>built (its recipe is gone)</source>
        <translation>erstellt (sein Rezept fehlt)</translation>
    </message>
    <message>
        <source>Checking the build tools</source>
        <translation>Werkzeuge werden geprüft</translation>
    </message>
    <message>
        <source>Installing Debian packages</source>
        <translation>Debian-Pakete werden installiert</translation>
    </message>
    <message>
        <source>Writing the disk image</source>
        <translation>Festplattenabbild wird geschrieben</translation>
    </message>
    <message>
        <source>Preparing the kernel for a quick start</source>
        <translation>Kernel wird für einen schnellen Start vorbereitet</translation>
    </message>
    <message>
        <source>Recording checksums</source>
        <translation>Prüfsummen werden festgehalten</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Guest images</source>
        <translation>Gastsysteme</translation>
    </message>
    <message>
        <source>Sessions with the VM backend start a throwaway virtual machine of a guest image. Images are built here from their recipes, without administrator rights; a build downloads Debian packages and takes a few minutes.</source>
        <translation>Sitzungen mit dem VM-Backend starten eine Wegwerf-VM aus einem Gastabbild. Abbilder werden hier aus ihren Rezepten erstellt, ohne Administratorrechte; das lädt Debian-Pakete herunter und dauert einige Minuten.</translation>
    </message>
    <message>
        <source>Reading the images…</source>
        <translation>Abbilder werden gelesen…</translation>
    </message>
    <message>
        <source>Build steps</source>
        <translation>Schritte der Erstellung</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Abbild</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Built</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Recipe version</source>
        <translation>Rezeptversion</translation>
    </message>
    <message>
        <source>&amp;Build</source>
        <translation>&amp;Erstellen</translation>
    </message>
    <message>
        <source>C&amp;heck</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>Recompute every checksum of the image</source>
        <translation>Jede Prüfsumme des Abbilds neu berechnen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>Ent&amp;fernen</translation>
    </message>
    <message>
        <source>&amp;Cancel build</source>
        <translation>Erstellen &amp;abbrechen</translation>
    </message>
    <message>
        <source>Checking the images…</source>
        <translation>Abbilder werden geprüft…</translation>
    </message>
    <message>
        <source>{built} (recipe: {now})</source>
        <translation>{built} (Rezept: {now})</translation>
    </message>
    <message>
        <source>Re&amp;build</source>
        <translation>&amp;Neu erstellen</translation>
    </message>
    <message>
        <source>Building {name}…</source>
        <translation>{name} wird erstellt…</translation>
    </message>
    <message>
        <source>Building {name}: {step} ({elapsed})</source>
        <translation>{name} wird erstellt: {step} ({elapsed})</translation>
    </message>
    <message>
        <source>{name} was built in {elapsed}.</source>
        <translation>{name} wurde in {elapsed} erstellt.</translation>
    </message>
    <message>
        <source>The build of {name} was cancelled; nothing of it was kept.</source>
        <translation>Das Erstellen von {name} wurde abgebrochen; nichts davon blieb zurück.</translation>
    </message>
    <message>
        <source>Could not build {name}</source>
        <translation>{name} konnte nicht erstellt werden</translation>
    </message>
    <message>
        <source>Cancelling: stopping the build and removing its files…</source>
        <translation>Abbruch: Das Erstellen wird beendet und seine Dateien werden entfernt…</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>{name} wird geprüft…</translation>
    </message>
    <message>
        <source>{name} was modified: {why}. Rebuild it.</source>
        <translation>{name} wurde verändert: {why}. Erstellen Sie es neu.</translation>
    </message>
    <message>
        <source>{name}: every file matches its checksum.</source>
        <translation>{name}: Jede Datei passt zu ihrer Prüfsumme.</translation>
    </message>
    <message>
        <source>Remove guest image</source>
        <translation>Gastabbild entfernen</translation>
    </message>
    <message>
        <source>Remove the guest image {name}? Sessions that need it cannot start until it is built again.</source>
        <translation>Das Gastabbild {name} entfernen? Sitzungen, die es brauchen, starten erst wieder, wenn es neu erstellt ist.</translation>
    </message>
    <message>
        <source>{name} was removed.</source>
        <translation>{name} wurde entfernt.</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) built.</source>
        <translation>
            <numerusform>%n Abbild erstellt.</numerusform>
            <numerusform>%n Abbilder erstellt.</numerusform>
        </translation>
    </message>
</context>
</TS>
