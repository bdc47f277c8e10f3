<#
.SYNOPSIS
  Builds Pluk for Windows: the PyInstaller bundle (dist\windows\pluk) and the Inno Setup
  installer (dist\windows\Pluk-VERSION-setup.exe), per-user, no administrator rights needed.

.DESCRIPTION
  Run from a "x64 Native Tools Command Prompt for VS 2022" PowerShell (or any shell where cl.exe
  and cmake are on PATH), in the repository root:

    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-WithModel C:\m\model.gguf] [-Engine cpu-noomp|cpu|cuda|vulkan]

  Needs: Python 3.11 x64 (python.org; `py -3.11`), Visual Studio 2022 Build Tools (C++ workload),
  CMake >= 3.21, Git, Inno Setup 6 (ISCC.exe). CUDA/Vulkan engines also need their SDKs.
  The engine wheel is compiled once (every CPU variant: expect 15+ min) and cached in
  %LOCALAPPDATA%\pluk\engine-wheels.

  OCR: Tesseract from the UB Mannheim installer (installed silently on the build machine, e.g.
  `tesseract-ocr-w64-setup-5.x.exe /S /D=C:\tesseract`, with the Dutch language selected or
  nld.traineddata copied into its tessdata) goes inside the bundle: -Tesseract C:\tesseract (or
  %PLUK_TESSERACT_DIR%); tesseract.exe, its DLLs and tessdata\{nld,eng}.traineddata are copied
  to _internal\tesseract, where Pluk's OCR reader looks first. Without it, scanned reports need
  a tesseract the user installs (the reader then says so).

  Engine: the same choice as packaging/build_engine.sh: GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS,
  one ggml-cpu-<level>.dll per x86 level, all in _internal\llama_cpp\lib, of which Pluk loads
  the best for the user's CPU at start. With MSVC: x64, sse42, sandybridge, haswell, skylakex,
  cannonlake, cascadelake, icelake, alderlake. ggml leaves out ivybridge, piledriver (no
  __FMA__/__F16C__ in MSVC), cooperlake, zen4 (no BF16 intrinsics; Zen 4 runs icelake) and the
  AMX variant sapphirerapids (MSVC has no AMX), so nothing needs dropping here; engine_wheel.py
  checks it. Every variant compiles ggml-cpu again: the first compile takes several times
  longer than the old single-level engine; the wheel is cached.

  OpenMP: the default engine (cpu-noomp) is built with -DGGML_OPENMP=OFF, so the bundle needs no
  vcomp140.dll. With -Engine cpu (OpenMP on), this script copies vcomp140.dll from the Visual
  Studio redistributable folder into the bundle.

  CUDA (-Engine cuda): the CUDA runtime the engine links (cudart64_NN.dll, cublas64_NN.dll,
  cublasLt64_NN.dll, NN the toolkit's major version) is copied from %CUDA_PATH%\bin into _internal\llama_cpp\lib and checked
  (engine_wheel.py cuda); the driver's nvcuda.dll never ships. Without an NVIDIA driver or GPU the
  engine runs on the CPU and `pluk hardware` says so. The installer is Pluk-VERSION-setup-cuda.exe.

  Signing (Authenticode): with PLUK_SIGN_PFX (a .pfx file) and PLUK_SIGN_PASSWORD set, signtool
  from the Windows SDK signs pluk.exe before Inno Setup packs it and the setup .exe after, with
  an RFC 3161 timestamp (PLUK_SIGN_TIMESTAMP, default http://timestamp.digicert.com). Without
  them nothing is signed and the script says so.
#>
param(
  [string[]]$WithModel = @(),
  [ValidateSet("cpu-noomp", "cpu", "cuda", "vulkan")][string]$Engine = "cpu-noomp",
  [string]$Python = "py -3.11",
  [switch]$NoInstaller,
  [string]$Tesseract = $env:PLUK_TESSERACT_DIR
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$LlamaVersion = "0.3.36"
$Build = Join-Path $Root "build\windows"
$Dist = Join-Path $Root "dist\windows"
New-Item -ItemType Directory -Force -Path $Build, $Dist | Out-Null
function Step($msg) { Write-Host "== build.ps1 $msg" }
function Run($exe, [string[]]$argv) {
  & $exe @argv
  if ($LASTEXITCODE -ne 0) { throw "$exe $($argv -join ' ') failed with exit code $LASTEXITCODE" }
}
# Authenticode; the password never reaches the log (not even in the error of a failed call).
function Sign($file) {
  if (-not $env:PLUK_SIGN_PFX) { Step "not signed (PLUK_SIGN_PFX unset): $file"; return }
  $Signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
    Sort-Object FullName | Select-Object -Last 1
  if (-not $Signtool) { throw "signtool.exe not found (Windows SDK)" }
  $Stamp = if ($env:PLUK_SIGN_TIMESTAMP) { $env:PLUK_SIGN_TIMESTAMP } else { "http://timestamp.digicert.com" }
  & $Signtool.FullName sign /fd SHA256 /td SHA256 /tr $Stamp /f $env:PLUK_SIGN_PFX /p $env:PLUK_SIGN_PASSWORD $file
  if ($LASTEXITCODE -ne 0) { throw "signtool could not sign $file (exit code $LASTEXITCODE)" }
  Run $Signtool.FullName @("verify", "/pa", $file)
  Step "signed $file"
}

# 1. The engine wheel: every CPU variant as a module ggml-cpu-<level>.dll (GGML_BACKEND_DL +
#    GGML_CPU_ALL_VARIANTS), installed to llama_cpp\lib (ggml installs backend modules to
#    CMAKE_INSTALL_BINDIR); same flags as build_engine.sh. MSVC builds no AMX variant.
$CpuBase = "-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DCMAKE_INSTALL_BINDIR=llama_cpp/lib"
# What is done to the wheel after pip built it (engine_wheel.py finish); part of the cache key.
$Recipe = "variants-noamx-1"
# The NVIDIA GPU generations, from the toolkit's release as build_engine.sh chooses them: CUDA 12
# builds Pascal (61) to Hopper (90), 12.8 and later add Blackwell (100, 120), CUDA 13 drops 61
# and 70; PLUK_CUDA_ARCHITECTURES overrides.
function CudaArchitectures {
  if ($env:PLUK_CUDA_ARCHITECTURES) { return $env:PLUK_CUDA_ARCHITECTURES }
  $release = (& nvcc --version 2>$null | Select-String -Pattern "release (\d+)\.(\d+)" | Select-Object -First 1)
  if (-not $release) { return "61;70;75;80;86;89;90" }
  $major = [int]$release.Matches[0].Groups[1].Value; $minor = [int]$release.Matches[0].Groups[2].Value
  if ($major -ge 13) { return "75;80;86;89;90;100;120" }
  if ($major -eq 12 -and $minor -ge 8) { return "61;70;75;80;86;89;90;100;120" }
  return "61;70;75;80;86;89;90"
}
$CmakeArgs = switch ($Engine) {
  "cpu-noomp" { "$CpuBase -DGGML_OPENMP=OFF" }
  "cpu"       { $CpuBase }
  "cuda"      { "$CpuBase -DGGML_OPENMP=OFF -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=$(CudaArchitectures)" }
  "vulkan"    { "$CpuBase -DGGML_OPENMP=OFF -DGGML_VULKAN=ON" }
}
$Key = [BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash(
  [Text.Encoding]::UTF8.GetBytes("$LlamaVersion|$CmakeArgs|win_amd64|$Recipe"))).Replace("-", "").Substring(0, 16)
$WheelDir = Join-Path $env:LOCALAPPDATA "pluk\engine-wheels\$Engine-$Key"
$Wheel = Get-ChildItem -Path $WheelDir -Filter "llama_cpp_python-$LlamaVersion-*.whl" -ErrorAction SilentlyContinue | Select-Object -First 1
$PyExe = $Python.Split(" ")[0]
$PyArgs = @($Python.Split(" ") | Select-Object -Skip 1)
if (-not $Wheel) {
  Step "compiling llama-cpp-python $LlamaVersion ($Engine): $CmakeArgs"
  $env:CMAKE_ARGS = $CmakeArgs
  $Fresh = "$WheelDir.tmp"
  if (Test-Path $Fresh) { Remove-Item -Recurse -Force $Fresh }
  New-Item -ItemType Directory -Force -Path $Fresh | Out-Null
  # --no-cache-dir: pip's cache keys the built wheel by URL only, not by CMAKE_ARGS.
  Run $PyExe ($PyArgs + @("-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "--no-binary",
    "llama-cpp-python", "-w", $Fresh, "llama-cpp-python==$LlamaVersion"))
  # The variants must sit in llama_cpp\lib and no AMX variant may ship (llama.cpp #20824);
  # only a finished wheel reaches the cache.
  $Built = Get-ChildItem -Path $Fresh -Filter "llama_cpp_python-$LlamaVersion-*.whl" | Select-Object -First 1
  Run $PyExe ($PyArgs + @("packaging\engine_wheel.py", "finish", $Built.FullName))
  New-Item -ItemType Directory -Force -Path $WheelDir | Out-Null
  Move-Item $Built.FullName $WheelDir
  Remove-Item -Recurse -Force $Fresh
  Set-Content -Path (Join-Path $WheelDir "CMAKE_ARGS") -Value $CmakeArgs
  $Wheel = Get-ChildItem -Path $WheelDir -Filter "llama_cpp_python-$LlamaVersion-*.whl" | Select-Object -First 1
}
Step "engine wheel $($Wheel.FullName)"

# 2. The build venv.
$Venv = Join-Path $Build "venv"
if (-not (Test-Path "$Venv\Scripts\python.exe")) { Run $PyExe ($PyArgs + @("-m", "venv", $Venv)) }
$VPy = "$Venv\Scripts\python.exe"
Run $VPy @("-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", $Wheel.FullName)
# setuptools builds in .\build\lib: stale output there would ship modules deleted from the tree.
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue "build\lib", "build\bdist.win-amd64"
Run $VPy @("-m", "pip", "install", "--quiet", $Wheel.FullName, "pyinstaller>=6.10,<7", "pillow", ".")
$Version = (& $VPy -c "import pluk; print(pluk.__version__)").Trim()

# 3. The self-test model and the icon (.ico with the sizes Windows uses).
$SelfTest = Join-Path $Build "selftest\pluk-selftest.gguf"
Run $VPy @("-c", "from pluk.core.diagnostics.self_test import build_selftest_model as b; b(r'$SelfTest')")
# deduce's lookup cache (about a minute), bundled so no user waits for it on first use.
Run $VPy @("-c", "from pluk.core.privacy.deduce_engine import build_cache, bundled_lookup_dir; build_cache(bundled_lookup_dir(), packed=True)")
$Png = Join-Path $Root "resources\icons\pluk.png"
if (-not (Test-Path $Png)) {
  $Png = Join-Path $Build "pluk.png"
  $env:QT_QPA_PLATFORM = "offscreen"
  Run $VPy @("packaging\make_icon.py", $Png)
  Remove-Item Env:\QT_QPA_PLATFORM
}
$Ico = Join-Path $Build "pluk.ico"
Run $VPy @("-c", "from PIL import Image; Image.open(r'$Png').save(r'$Ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])")

# 4. PyInstaller.
Step "pyinstaller"
$env:PLUK_SELFTEST_MODEL = $SelfTest
$env:PLUK_ICON = $Ico
if (Test-Path "$Dist\pluk") { Remove-Item -Recurse -Force "$Dist\pluk" }
Run $VPy @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", $Dist,
  "--workpath", "$Build\work", "packaging\pluk.spec")
$Bundle = Join-Path $Dist "pluk"
$Internal = Join-Path $Bundle "_internal"
# The engine the bundle ships: the CPU variants with the x64 baseline and haswell, no AMX one
# (the ldtilecfg scan runs where objdump is on PATH, e.g. from Git for Windows' MinGW).
Step "engine check"
Run $VPy @("packaging\engine_wheel.py", "check", (Join-Path $Internal "llama_cpp\lib"), "--objdump-optional")

# 5. Runtimes: the MSVC C++ runtime next to the libraries (PyInstaller usually collects it; a
#    missing msvcp140.dll is the classic "DLL load failed" of llama.dll) and, for OpenMP builds,
#    vcomp140.dll from the Visual Studio redistributable.
foreach ($dll in @("msvcp140.dll", "vcruntime140.dll", "vcruntime140_1.dll")) {
  if (-not (Get-ChildItem -Path $Internal -Recurse -Filter $dll -ErrorAction SilentlyContinue)) {
    Copy-Item (Join-Path $env:SystemRoot "System32\$dll") $Internal
  }
}
if ($Engine -eq "cuda") {
  # The toolkit's runtime beside ggml-cuda.dll (Windows finds DLLs in the loading DLL's folder);
  # nvcuda.dll is the user's driver. CUDA 12 keeps its DLLs in bin, CUDA 13 in bin\x64.
  if (-not $env:CUDA_PATH) { throw "CUDA_PATH is not set: install the CUDA toolkit" }
  foreach ($pattern in @("cudart64_*.dll", "cublas64_*.dll", "cublasLt64_*.dll")) {
    Get-ChildItem -Path (Join-Path $env:CUDA_PATH "bin") -Filter $pattern -Recurse |
      ForEach-Object { Copy-Item $_.FullName (Join-Path $Internal "llama_cpp\lib") }
  }
  Run $VPy @("packaging\engine_wheel.py", "cuda", $Bundle, "--system", "windows")
}
if ($Engine -eq "cpu") {
  $Vswhere = "${env:ProgramFiles(x86)}\Microsoft Visual Studio\Installer\vswhere.exe"
  $Vs = & $Vswhere -latest -products * -property installationPath
  $Vcomp = Get-ChildItem -Path "$Vs\VC\Redist\MSVC" -Recurse -Filter vcomp140.dll |
    Where-Object { $_.FullName -match "\\x64\\Microsoft\.VC\d+\.OpenMP\\" } | Select-Object -First 1
  if (-not $Vcomp) { throw "vcomp140.dll not found under $Vs\VC\Redist\MSVC" }
  Copy-Item $Vcomp.FullName (Join-Path $Internal "llama_cpp\lib")
}

# 5b. OCR: tesseract.exe with the DLLs beside it (Windows finds them there) and the two
#     languages Pluk reads, in _internal\tesseract (pluk\core\readers\ocr.py looks there first).
if ($Tesseract) {
  Step "tesseract from $Tesseract"
  $Tess = Join-Path $Internal "tesseract"
  New-Item -ItemType Directory -Force -Path "$Tess\tessdata" | Out-Null
  Copy-Item (Join-Path $Tesseract "tesseract.exe") $Tess
  Get-ChildItem -Path $Tesseract -Filter "*.dll" | ForEach-Object { Copy-Item $_.FullName $Tess }
  foreach ($lang in @("nld", "eng")) {
    $data = Join-Path $Tesseract "tessdata\$lang.traineddata"
    if (-not (Test-Path $data)) { throw "$data missing: install the Dutch and English languages" }
    Copy-Item $data "$Tess\tessdata"
  }
  foreach ($doc in @("LICENSE", "LICENSE.txt", "COPYING")) {
    if (Test-Path (Join-Path $Tesseract $doc)) { Copy-Item (Join-Path $Tesseract $doc) $Tess }
  }
  Run "$Tess\tesseract.exe" @("--tessdata-dir", "$Tess\tessdata", "--list-langs")
}

# 6. The offline variant: models next to pluk.exe, with their sha256 precomputed.
# A GPU engine is named in the installer: Pluk-VERSION-setup-cuda.exe.
$Suffix = if ($Engine -in @("cuda", "vulkan")) { "-$Engine" } else { "" }
if ($WithModel.Count -gt 0) {
  New-Item -ItemType Directory -Force -Path "$Bundle\models" | Out-Null
  foreach ($m in $WithModel) { Copy-Item $m "$Bundle\models\" }
  Run $VPy @("-m", "pluk.core.models.bundle", "$Bundle\models")
  $Suffix = "$Suffix-offline"
}

# 7. The frozen self-test must pass before anything is packaged.
Step "frozen self-test"
Run "$Bundle\pluk.exe" @("self-test")
Sign "$Bundle\pluk.exe"

# 8. The installer.
if (-not $NoInstaller) {
  $Iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
            "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") | Where-Object { Test-Path $_ } | Select-Object -First 1
  if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found; install it from https://jrsoftware.org/isdl.php" }
  Step "inno setup"
  $IsccArgs = @("/Q", "/DAppVersion=$Version", "/DSourceDir=$Bundle", "/DOutputDir=$Dist",
    "/DIconFile=$Ico", "/DSuffix=$Suffix")
  if ($WithModel.Count -gt 0) {
    $IsccArgs += "/DWithModels=1"
    $ModelBytes = (Get-ChildItem "$Bundle\models" -Filter *.gguf | Measure-Object -Property Length -Sum).Sum
    if ($ModelBytes -gt 3.9e9) { $IsccArgs += "/DSpan=1" }  # Inno Setup's 4.2 GB single-file limit
  }
  Run $Iscc ($IsccArgs + @("packaging\windows\pluk.iss"))
  Get-ChildItem "$Dist\Pluk-$Version-setup$Suffix.exe" | ForEach-Object { Sign $_.FullName }
  Get-ChildItem "$Dist\Pluk-$Version-setup$Suffix*" | ForEach-Object { Step "$($_.Name): $([math]::Round($_.Length / 1MB)) MB" }
}
Step "done: $Bundle"
