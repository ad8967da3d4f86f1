; Inno Setup 6 script: per-machine Chinese installer for zwgk_desktop.
; Build on Windows (see installer/README.md):
;   1. python dev.py test            (or at least: py -3.11 -m venv .venv && .venv\Scripts\pip install -e .[installer])
;   2. .venv\Scripts\pyinstaller installer\zwgk.spec --noconfirm --distpath build\dist --workpath build\work
;      .venv\Scripts\python -m compileall -q build\dist\zwgk-desktop\_internal\db   (the migrations as .pyc;
;      the package itself is already bytecode in the bundle's PYZ)
;   3. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\windows\zwgk-desktop.iss
; User data lives in %LOCALAPPDATA%\zwgk_desktop and is never touched by install, upgrade or uninstall.

#define AppName "政务公开公示栏管理系统"
#define AppVersion "0.1.0"
#define AppExe "zwgk-gui.exe"

[Setup]
AppId={{6E4F3C2A-9B1D-4C55-8A77-2D3E5F6A7B10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=zwgk_desktop
DefaultDirName={autopf}\zwgk-desktop
DefaultGroupName={#AppName}
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build
OutputBaseFilename=zwgk-desktop-setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\zwgk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.3 and later (earlier versions: copy it from the Inno Setup translations page).
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "..\..\build\dist\zwgk-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\zwgk.exe"; Parameters: "self-test"; StatusMsg: "正在自检…"; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExe}"; Description: "立即启动{#AppName}"; Flags: nowait postinstall skipifsilent
