# Node 24 runs the TypeScript sources directly (type stripping); no build step, no native addons.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY commands ./commands
COPY runbooks ./runbooks
USER 10001
EXPOSE 3000
ENTRYPOINT ["node", "src/main.ts"]
CMD ["serve"]
