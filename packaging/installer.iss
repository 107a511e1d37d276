; Inno Setup script for the Windows installer (per-user, no administrator rights needed).
; Build the one-folder app first (pyinstaller packaging/ygt_desktop.spec), then compile this.
#define AppName "基层公共卫生服务系统"
#define AppVersion "0.1.0"

[Setup]
AppId={{5C1E7A52-2B1E-4F0B-9C55-0A7E3D2F6B11}
AppName={#AppName}
AppVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\ygt_desktop
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
OutputBaseFilename=ygt_desktop-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
; The database lives in the user's data folder, never in the program folder:
; uninstalling the program does not delete anyone's records.

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\ygt_desktop\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\ygt-desktop.exe"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\ygt-desktop.exe"

[Run]
Filename: "{app}\ygt-desktop.exe"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent
