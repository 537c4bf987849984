; Inno Setup 6 script: the Windows installer of Iris Field, built from dist\iris-field\ (build.py).
;
;   iscc /DAppVersion=0.1.0 build_scripts\installer\iris-field.iss
;
; Per-user install without administrator rights (into %LOCALAPPDATA%\Programs\Iris Field), two
; Start-menu entries (the app; a console for its command line, iris-field-cli.exe), and an
; uninstaller that removes the program only: the observations, settings and log live
; in %LOCALAPPDATA%\iris-field\ (desktop/paths.py) and are never touched.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\iris-field"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\iris-field.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; The AppId identifies the installation for upgrades and uninstall; never change it.
AppId={{6B1E5D2A-4F1C-4E0B-9C52-1A7D3B9E8F41}
AppName=Iris Field
AppVersion={#AppVersion}
AppVerName=Iris Field {#AppVersion}
AppPublisher=Iris Field
DefaultDirName={autopf}\Iris Field
DefaultGroupName=Iris Field
DisableProgramGroupPage=yes
; "lowest": no UAC prompt; {autopf} is then the user's own Programs folder.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=iris-field-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\iris-field.exe
UninstallDisplayName=Iris Field
; LZMA2, like the Linux .tar.xz the size budget is measured on; exe/dll get Inno's x86 filter.
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
; An update while the app is open: close it, replace the files, start it again.
CloseApplications=yes
RestartApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle; an update first removes files the new version no longer has.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\Iris Field"; Filename: "{app}\iris-field.exe"; Comment: "Identify Iris species from four measurements"
; A console in the program folder, showing the command line's help: type e.g. iris-field-cli predict 5.1 3.5 1.4 0.2
Name: "{autoprograms}\Iris Field (command line)"; Filename: "{cmd}"; Parameters: "/k iris-field-cli.exe --help"; WorkingDir: "{app}"; IconFilename: "{app}\iris-field-cli.exe"; Comment: "The Iris Field command line (iris-field-cli)"
Name: "{autodesktop}\Iris Field"; Filename: "{app}\iris-field.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\iris-field.exe"; Description: "{cm:LaunchProgram,Iris Field}"; Flags: nowait postinstall skipifsilent

[CustomMessages]
english.DataKept=Iris Field was removed. Your observations, settings and log were kept in:%n%n%1%n%nInstalling Iris Field again brings them back. Delete that folder yourself only if you no longer need them.
german.DataKept=Iris Field wurde entfernt. Ihre Beobachtungen, Einstellungen und das Protokoll bleiben erhalten in:%n%n%1%n%nNach einer erneuten Installation sind sie wieder da. Löschen Sie diesen Ordner nur, wenn Sie sie nicht mehr brauchen.

[Code]
{ The uninstaller deletes only what it installed. Tell the botanist where the data stays. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\iris-field');
    if DirExists(DataDir) and not UninstallSilent then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
  end;
end;
