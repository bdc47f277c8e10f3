; Inno Setup 6 script of Pluk's Windows installer: a per-user install (no administrator rights),
; a Start-menu entry, an optional desktop icon, and an uninstaller.
; Built by packaging\windows\build.ps1, which passes the defines below:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=...\dist\windows\pluk /DOutputDir=...\dist\windows
;            [/DIconFile=...\pluk.ico] [/DSuffix=[-cuda][-offline] [/DWithModels=1 [/DSpan=1]]]
;            packaging\windows\pluk.iss
; The bundle in SourceDir is copied as it is, including models\ for the offline variant.

; The version of pyproject.toml (tests/packaging/test_release_workflow.py keeps them equal), for
; a compile by hand; build.ps1 passes the built package's own.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\windows\pluk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\windows"
#endif
#ifndef Suffix
  #define Suffix ""
#endif

[Setup]
; Never change AppId: it is how upgrades and the uninstaller find an existing installation.
AppId={{8C6A5E2B-3F4D-4B7A-9E21-5D0C7A1F6B34}
AppName=Pluk
AppVersion={#AppVersion}
AppVerName=Pluk {#AppVersion}
AppPublisher=Pluk developers
AppComments=Offline extraction of structured data from clinical reports
; Per user: {autopf} is %LOCALAPPDATA%\Programs under PrivilegesRequired=lowest.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\Pluk
DisableProgramGroupPage=yes
DefaultGroupName=Pluk
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=Pluk-{#AppVersion}-setup{#Suffix}
Compression=lzma2/max
SolidCompression=yes
#ifdef Span
; Required above 4.2 GB of compressed data (a large bundled model): setup.exe + setup-*.bin
; side by side, all in one folder. build.ps1 defines Span only then; otherwise one setup.exe.
DiskSpanning=yes
DiskSliceSize=max
#endif
WizardStyle=modern
UninstallDisplayName=Pluk {#AppVersion}
UninstallDisplayIcon={app}\pluk.exe
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "nl"; MessagesFile: "compiler:Languages\Dutch.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; Excludes: "\models"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
#ifdef WithModels
; The offline variant's models: GGUF weights barely compress, so they are stored as they are
; (lzma2 over gigabytes would take an hour for a few percent).
Source: "{#SourceDir}\models\*"; DestDir: "{app}\models"; Flags: ignoreversion nocompression
#endif

[InstallDelete]
; An upgrade replaces the bundle's code completely (stale modules of an older version must go);
; the user's data live in %LOCALAPPDATA%\Pluk and are never touched.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\Pluk"; Filename: "{app}\pluk.exe"; WorkingDir: "{userdocs}"; Comment: "Extract structured data from clinical reports"
Name: "{autodesktop}\Pluk"; Filename: "{app}\pluk.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\pluk.exe"; Description: "{cm:LaunchProgram,Pluk}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
