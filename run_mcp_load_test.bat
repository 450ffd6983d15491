@echo off
rem The classic runner: load-tests an MCP server with mcpload's classic suite.
rem Without --host it starts mcpload's embedded reference server.
setlocal EnableDelayedExpansion
cd /d "%~dp0"
set "HOST="
set "USERS=10"
set "SPAWN_RATE=2"
set "TIME=60s"
set "HEADLESS="

:parse
if "%~1"=="" goto run
if /i "%~1"=="--host" ( set "HOST=%~2" & shift & shift & goto parse )
if /i "%~1"=="--users" ( set "USERS=%~2" & shift & shift & goto parse )
if /i "%~1"=="--spawn-rate" ( set "SPAWN_RATE=%~2" & shift & shift & goto parse )
if /i "%~1"=="--time" ( set "TIME=%~2" & shift & shift & goto parse )
if /i "%~1"=="--headless" ( set "HEADLESS=--headless" & shift & goto parse )
if /i "%~1"=="--help" goto usage
if /i "%~1"=="-h" goto usage
echo error: unknown option '%~1' (see --help) 1>&2
exit /b 2

:usage
echo Usage: run_mcp_load_test.bat [--host URL] [--users N] [--spawn-rate N] [--time DURATION] [--headless]
echo.
echo   --host URL        target server; default: the embedded reference server
echo   --users N         concurrent users (default 10)
echo   --spawn-rate N    users started per second (default 2)
echo   --time DURATION   run time, e.g. 60s, 5m (default 60s)
echo   --headless        print stats to the console instead of opening the web UI
echo   --help            this help
exit /b 0

:run
if not exist node_modules\ (
  echo installing dependencies ^(npm ci^)... 1>&2
  call npm ci --no-audit --no-fund || exit /b 1
)
set "ARGS=run -u %USERS% -r %SPAWN_RATE% -t %TIME% --csv results/run --json results/run.json %HEADLESS%"
if not "%HOST%"=="" set "ARGS=%ARGS% --host %HOST%"
node bin\mcpload.js %ARGS%
exit /b %ERRORLEVEL%
