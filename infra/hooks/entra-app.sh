#!/usr/bin/env bash
# azd preprovision hook: JmlDsr's Entra ID app registration, its app roles and who holds them.
#  - creates (or updates) the app registration "JmlDsr (<env>)" with the app roles in infra/entra/app-roles.json and the
#    identifier URI api://<clientId> (the audience of staff API bearer tokens), and its service principal with
#    "assignment required" on, so only assigned staff can sign in to the console;
#  - assigns Privacy.Staff to the object ids in JMLDSR_STAFF_PRINCIPALS and Privacy.Dpo to those in JMLDSR_DPO_PRINCIPALS
#    (users or groups, comma-separated), and removes nobody (assignments made in the portal stay);
#  - stores the client id as JMLDSR_CONSOLE_AUTH_CLIENT_ID, which main.parameters.json passes to Bicep (App Service
#    authentication, AzureAd__ClientId).
# Needs: az login with rights to create app registrations (Application Developer) and to assign app roles.
# Bicep cannot create Entra objects without the Microsoft Graph extension, which this project's offline build cannot fetch.
set -euo pipefail
cd "$(dirname "$0")/../.."
env_name="${AZURE_ENV_NAME:?run through azd}"
display="JmlDsr (${env_name})"
roles_file="infra/entra/app-roles.json"

app_id=$(az ad app list --display-name "$display" --query '[0].appId' -o tsv)
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name "$display" --sign-in-audience AzureADMyOrg --app-roles "@$roles_file" --query appId -o tsv)
  echo "entra: created app registration $display ($app_id)"
else
  az ad app update --id "$app_id" --app-roles "@$roles_file"
  echo "entra: updated app roles of $display ($app_id)"
fi
az ad app update --id "$app_id" --identifier-uris "api://$app_id" --enable-id-token-issuance true

sp_id=$(az ad sp list --filter "appId eq '$app_id'" --query '[0].id' -o tsv)
if [ -z "$sp_id" ]; then
  sp_id=$(az ad sp create --id "$app_id" --query id -o tsv)
fi
az ad sp update --id "$sp_id" --set appRoleAssignmentRequired=true

assign() { # role value, comma-separated principal object ids
  local role_id
  role_id=$(jq -r --arg v "$1" '.[] | select(.value == $v) | .id' "$roles_file")
  IFS=',' read -ra principals <<< "${2:-}"
  for principal in "${principals[@]}"; do
    principal=$(echo "$principal" | xargs)
    [ -z "$principal" ] && continue
    if az rest --method GET --url "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
        --query "value[?principalId=='$principal' && appRoleId=='$role_id'] | length(@)" -o tsv | grep -qx '0'; then
      az rest --method POST --url "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
        --body "{\"principalId\":\"$principal\",\"resourceId\":\"$sp_id\",\"appRoleId\":\"$role_id\"}" >/dev/null
      echo "entra: $1 assigned to $principal"
    fi
  done
}
assign Privacy.Staff "${JMLDSR_STAFF_PRINCIPALS:-}"
assign Privacy.Dpo "${JMLDSR_DPO_PRINCIPALS:-}"

azd env set JMLDSR_CONSOLE_AUTH_CLIENT_ID "$app_id"
echo "entra: JMLDSR_CONSOLE_AUTH_CLIENT_ID=$app_id"
